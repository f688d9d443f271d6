# wsimg — build, test and install. `make test` and `make run` install missing system libraries themselves.
PREFIX ?= /usr/local
SWIFT ?= swift
# Debian packages wsimg builds against (pkg-config names in brackets):
#   libcurl4-openssl-dev [libcurl]  HTTP client
#   libpng-dev           [libpng]   PNG decoding/validation and encoding
#   libjpeg-dev          [libjpeg]  decoding the JPEGs FLUX.1 schnell and the web app's server send,
#                                   to re-encode as PNG (libjpeg-turbo on Debian and Ubuntu alike)
#   pkg-config                      lets SwiftPM find them
APT_PACKAGES = pkg-config libcurl4-openssl-dev libpng-dev libjpeg-dev
# Only for the tests: nghttpx terminates TLS + HTTP/2 in front of the loopback fakes, openssl makes its
# test CA, headless Chromium opens `wsimg preview` pages, zsh and fish check the completion scripts,
# man renders the man page.
TEST_APT_PACKAGES = nghttp2-proxy openssl chromium zsh fish man-db
SAMPLE_OUT = Samples/out
# The version is defined once, in Sources/WsimgBasics/Version.swift.
VERSION := $(shell sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/WsimgBasics/Version.swift)
ARCH := $(shell uname -m)
DIST_NAME = wsimg-$(VERSION)
DIST_TARBALL = dist/$(DIST_NAME)-linux-$(ARCH).tar.gz
# The release binary: the Swift runtime linked in, so it runs where no Swift toolchain is installed.
DIST_BINARY = .build-dist/release/wsimg

.PHONY: all build release test check lint run bench fuzz install uninstall dist dist-binary stage deps test-deps install-packages clean

all: build

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"

install-packages:
	@missing=""; \
	for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Only the wsimg product: the fuzz and bench tools are built by `make fuzz` and `make bench`.
build: deps
	$(SWIFT) build --product wsimg

release: deps
	$(SWIFT) build -c release --product wsimg

# Also packs the release tarball, which the tests run without the toolchain (DistTests) and through
# the CI recipe in Samples/ci (CIRecipeTests).
test: test-deps dist
	$(SWIFT) build --build-tests
	WSIMG_DIST_TARBALL=$(CURDIR)/$(DIST_TARBALL) $(SWIFT) test --skip-build

# swift-format (part of the toolchain) with the house configuration in .swift-format.
lint:
	$(SWIFT) format lint --strict -r Sources Tests

# The image paths and the worksheet scanner and writer under AddressSanitizer: PNG decoding of every
# colour type and bit depth, JPEG conversion, the streaming JSON scanner (raw eight-byte loads) and
# the splicing writer in every chunk size, the fuzz corpus replayed, and the wsimg binary (built with
# ASan too) end to end on every answer form Together's spec allows and on long embedded pictures.
# LeakSanitizer is off: Foundation's own caches read as leaks.
ASAN_TESTS = SecondReviewUnitTests|PNGKindsTests|PNGValidatorTests|ImageConverterTests|Base64|Base64FieldSpool|FuzzCorpusTests|TogetherSpecTests|RemoteTests|WorksheetScanTests|JSONScannerPositionTests|WorksheetWriterTests|XXHash64Tests|LargeEmbeddedTests
check: test-deps
	$(SWIFT) build --build-tests --scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address -Xswiftc -use-ld=lld
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path .build-asan --filter '$(ASAN_TESTS)'

# Generates the sample worksheet into Samples/out/: with Together when TOGETHER_API_KEY is set,
# otherwise with the offline placeholder provider.
run: release
	@mkdir -p $(SAMPLE_OUT)
	@if [ -n "$$TOGETHER_API_KEY" ] || [ -n "$$TOGETHER_API_KEY_FILE" ]; then \
	  echo "Generating with Together AI (TOGETHER_API_KEY is set)"; provider=together; \
	else \
	  echo "TOGETHER_API_KEY is not set: generating offline placeholder pictures (--provider placeholder)"; provider=placeholder; \
	fi; \
	.build/release/wsimg generate Samples/worksheet.json -o $(SAMPLE_OUT)/worksheet.json --provider $$provider; \
	code=$$?; [ $$code -eq 0 ] && echo "Wrote $(SAMPLE_OUT)/worksheet.json and $(SAMPLE_OUT)/worksheet_images/; the binary is .build/release/wsimg"; exit $$code

# Benchmarks against a loopback fake upstream; prints a table (see DESIGN.md, "Performance").
# SCENARIOS="10 13" runs only those (and the ones that reuse their worksheets).
SCENARIOS ?=
bench: release
	$(SWIFT) build -c release --product wsimg-bench
	@command -v /usr/bin/time >/dev/null || { SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq time >/dev/null; }
	.build/release/wsimg-bench $(SCENARIOS)

# libFuzzer with AddressSanitizer over the worksheet reader/editor, the image path (raw bytes, and
# structure-aware PNGs of every kind), Together's streamed answers and the images folder's manifest of
# choices and candidates, FUZZ_SECONDS each.
# New corpus entries go to .build-fuzz/corpus; crashes to .build-fuzz/crash-*.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= worksheet png pngkinds answer manifest
fuzz: deps
	$(SWIFT) build --product wsimg-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xswiftc -use-ld=lld -Xswiftc -DFUZZING
	@for harness in $(FUZZ_HARNESSES); do \
	  mkdir -p .build-fuzz/corpus/$$harness; \
	  echo "fuzzing $$harness for $(FUZZ_SECONDS) s"; \
	  status=0; ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no WSIMG_FUZZ=$$harness .build-fuzz/debug/wsimg-fuzz .build-fuzz/corpus/$$harness Fuzz/corpus/$$harness \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=.build-fuzz/ -print_final_stats=1 > .build-fuzz/$$harness.log 2>&1 || status=$$?; \
	  grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY)|Fatal error' .build-fuzz/$$harness.log | cut -c1-400; \
	  if [ $$status -ne 0 ]; then echo "fuzzing $$harness failed (exit $$status): the input is in .build-fuzz/crash-*"; exit 1; fi; \
	done

dist-binary: deps
	$(SWIFT) build -c release --product wsimg --static-swift-stdlib --scratch-path .build-dist

# The files wsimg installs, under $(STAGE): binary, man page, completions.
stage: dist-binary
	install -d $(STAGE)/bin $(STAGE)/share/man/man1 $(STAGE)/share/bash-completion/completions \
	  $(STAGE)/share/zsh/site-functions $(STAGE)/share/fish/vendor_completions.d
	install -m 755 $(DIST_BINARY) $(STAGE)/bin/wsimg
	strip $(STAGE)/bin/wsimg
	$(STAGE)/bin/wsimg manpage > $(STAGE)/share/man/man1/wsimg.1
	$(STAGE)/bin/wsimg completion bash > $(STAGE)/share/bash-completion/completions/wsimg
	$(STAGE)/bin/wsimg completion zsh > $(STAGE)/share/zsh/site-functions/_wsimg
	$(STAGE)/bin/wsimg completion fish > $(STAGE)/share/fish/vendor_completions.d/wsimg.fish

# dist/wsimg-<version>-linux-<arch>.tar.gz: wsimg-<version>/{bin,share,README.md,LICENSE,licenses/}.
# Reproducible: sorted names, no owners, files dated to the release.
dist: dist-binary
	rm -rf dist/$(DIST_NAME)
	$(MAKE) --no-print-directory stage STAGE=dist/$(DIST_NAME)
	install -m 644 README.md LICENSE CHANGELOG.md dist/$(DIST_NAME)/
	install -d dist/$(DIST_NAME)/licenses
	install -m 644 Dist/licenses/* dist/$(DIST_NAME)/licenses/
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='$(shell sed -n 's/.*static let date = "\(.*\)"/\1/p' Sources/WsimgBasics/Version.swift) 00:00Z' \
	  -C dist -czf $(DIST_TARBALL) $(DIST_NAME)
	cd dist && sha256sum $(notdir $(DIST_TARBALL)) > SHA256SUMS
	@echo "Wrote $(DIST_TARBALL) and dist/SHA256SUMS"

install: dist-binary
	$(MAKE) --no-print-directory stage STAGE=$(DESTDIR)$(PREFIX)

# Removes what `make install` put under $(DESTDIR)$(PREFIX), and nothing else.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/wsimg $(DESTDIR)$(PREFIX)/share/man/man1/wsimg.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/wsimg $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_wsimg \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/wsimg.fish

clean:
	rm -rf .build .build-dist dist $(SAMPLE_OUT)
