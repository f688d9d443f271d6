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
# test CA, headless Chromium opens `wsimg preview` pages.
TEST_APT_PACKAGES = nghttp2-proxy openssl chromium
SAMPLE_OUT = Samples/out

.PHONY: all build release test check run bench fuzz install deps test-deps install-packages clean

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

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The image paths under AddressSanitizer: PNG decoding of every colour type and bit depth, JPEG
# conversion, the fuzz corpus replayed, and the wsimg binary (built with ASan too) end to end on every
# answer form Together's spec allows. LeakSanitizer is off: Foundation's own caches read as leaks.
ASAN_TESTS = PNGKindsTests|PNGValidatorTests|ImageConverterTests|Base64|Base64FieldSpool|FuzzCorpusTests|TogetherSpecTests|RemoteTests
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
	code=$$?; [ $$code -eq 0 ] && echo "Wrote $(SAMPLE_OUT)/worksheet.json and $(SAMPLE_OUT)/worksheet_images/"; exit $$code

# Benchmarks against a loopback fake upstream; prints a table (see README, "Performance").
bench: release
	@command -v /usr/bin/time >/dev/null || { SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq time >/dev/null; }
	.build/release/wsimg-bench

# libFuzzer with AddressSanitizer over the worksheet reader/editor, the image path (raw bytes, and
# structure-aware PNGs of every kind) and Together's streamed answers, FUZZ_SECONDS each.
# New corpus entries go to .build-fuzz/corpus; crashes to .build-fuzz/crash-*.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= worksheet png pngkinds answer
fuzz: deps
	$(SWIFT) build --product wsimg-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xswiftc -use-ld=lld -Xswiftc -DFUZZING
	@for harness in $(FUZZ_HARNESSES); do \
	  mkdir -p .build-fuzz/corpus/$$harness; \
	  echo "fuzzing $$harness for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no WSIMG_FUZZ=$$harness .build-fuzz/debug/wsimg-fuzz .build-fuzz/corpus/$$harness Fuzz/corpus/$$harness \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=.build-fuzz/ -print_final_stats=1 2>&1 \
	    | grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY)|Fatal error' || exit 1; \
	done

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/wsimg $(DESTDIR)$(PREFIX)/bin/wsimg

clean:
	rm -rf .build $(SAMPLE_OUT)
