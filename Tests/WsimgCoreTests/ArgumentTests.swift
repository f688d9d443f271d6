import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

@Suite struct ArgumentParserTests {
    let specs = GenerateOptions.specs

    @Test func parsesOptionsBeforeAndAfterPositionals() throws {
        let parsed = try ArgumentParser.parse(["-j", "8", "sheet.json", "--embed", "--output=out.json", "--", "-odd"], options: specs)
        #expect(parsed.positionals == ["sheet.json", "-odd"])
        #expect(parsed.value("--concurrency") == "8")
        #expect(parsed.value("--output") == "out.json")
        #expect(parsed.has("--embed"))
    }

    @Test func treatsDashAsAPositional() throws {
        #expect(try ArgumentParser.parse(["-o", "-", "x.json"], options: specs).value("--output") == "-")
    }

    @Test(arguments: [
        (["--concurency", "2"], "Unknown option --concurency. Did you mean --concurrency?"),
        (["--ouput", "x"], "Unknown option --ouput. Did you mean --output?"),
        (["--zzzzzzzzzz"], "Unknown option --zzzzzzzzzz. Run 'wsimg help' for the list of options."),
        (["--output"], "--output needs a value (FILE)"),
        (["--embed=yes"], "--embed takes no value"),
    ])
    func explainsMistakes(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) { try ArgumentParser.parse(arguments, options: specs) }
    }

    func options(_ arguments: [String]) throws -> GenerateOptions {
        try GenerateOptions(try ArgumentParser.parse(arguments, options: specs))
    }

    @Test func fillsDefaults() throws {
        let options = try options(["w.json"])
        #expect(options.provider == nil)
        #expect(options.batchSize == 8)
        #expect(options.concurrency == 4)
        #expect(options.steps == 4)
        #expect(options.retryPolicy.retries == 2)
        #expect(options.timeout == nil)
        #expect(options.requestOptions == RequestOptions(enhancePrompts: true, fixedSeed: nil))
        #expect(options.verbosity == .progress)
    }

    @Test func readsEveryOption() throws {
        let options = try options([
            "w.json", "-o", "o.json", "--images-dir", "img", "--embed", "--force", "--provider", "placeholder",
            "--model", "m", "--steps", "8", "--seed", "9", "--no-enhance", "-j", "16", "--retries", "5",
            "--timeout", "2.5", "--backoff", "0", "--allow-insecure-http", "-v",
            "--endpoint", "https://school.example/api/worksheet/generate-images", "--batch-size", "3",
        ])
        #expect(options.endpoint == "https://school.example/api/worksheet/generate-images" && options.batchSize == 3)
        #expect(options.output == "o.json" && options.imagesDir == "img" && options.embed && options.force)
        #expect(options.provider == .placeholder && options.model == "m" && options.steps == 8)
        #expect(options.requestOptions == RequestOptions(enhancePrompts: false, fixedSeed: 9))
        #expect(options.concurrency == 16 && options.retryPolicy.retries == 5 && options.timeout == 2.5)
        #expect(options.retryPolicy.baseDelay == 0 && options.allowInsecureHTTP && options.verbosity == .verbose)
    }

    @Test(arguments: [
        (["w.json", "-j", "0"], "--concurrency must be a whole number from 1 to 64, not '0'"),
        (["w.json", "--steps", "abc"], "--steps must be a whole number from 1 to 50, not 'abc'"),
        (["w.json", "--seed", "-1"], "--seed must be a whole number from 0 to 2147483647, not '-1'"),
        (["w.json", "--timeout", "0"], "--timeout must be a number of seconds (at least 0.1), not '0'"),
        (["w.json", "--provider", "togther"], "Unknown provider 'togther': use together, remote or placeholder. Did you mean together?"),
        ([], "Missing WORKSHEET: wsimg generate WORKSHEET [options]"),
        (["a.json", "b.json", "-o", "x.json"], "-o names one output; for several worksheets use --output-dir DIR"),
    ])
    func rejectsBadValues(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) { try options(arguments) }
    }

    @Test func refusesAnAPIKeyFlagAndSaysWhy() {
        do {
            _ = try options(["w.json", "--api-key", "secret-123"])
            Issue.record("expected an error")
        } catch let error as UsageError {
            #expect(error.message.contains("TOGETHER_API_KEY"))
            #expect(!error.message.contains("secret-123"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("--embed", "--embde", 2)])
    func measuresEditDistance(a: String, b: String, distance: Int) {
        #expect(NearestName.editDistance(a, b) == distance)
    }
}

@Suite struct ServiceEndpointTests {
    @Test(arguments: [
        ("https://api.together.xyz", "https://api.together.xyz/v1/images/generations"),
        ("https://api.together.xyz/", "https://api.together.xyz/v1/images/generations"),
        ("https://api.together.xyz/v1", "https://api.together.xyz/v1/images/generations"),
        ("https://api.together.xyz/v1/", "https://api.together.xyz/v1/images/generations"),
        ("https://gateway.school/together", "https://gateway.school/together/v1/images/generations"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/images/generations"),
        ("http://localhost:1", "http://localhost:1/v1/images/generations"),
        ("http://[::1]:9/x", "http://[::1]:9/x/v1/images/generations"),
        ("HTTPS://Example.com", "https://Example.com/v1/images/generations"),
    ])
    func takesTogethersBaseWithOrWithoutV1(base: String, endpoint: String) throws {
        #expect(try ServiceEndpoints.together(base: base, allowInsecureHTTP: false).string == endpoint)
    }

    @Test(arguments: [
        ("https://school.example", "https://school.example/api/worksheet/generate-images"),
        ("https://school.example/", "https://school.example/api/worksheet/generate-images"),
        ("https://school.example/api/worksheet/generate-images", "https://school.example/api/worksheet/generate-images"),
        ("http://127.0.0.1:3000/custom/route", "http://127.0.0.1:3000/custom/route"),
    ])
    func takesTheWebAppsBaseOrItsRoute(endpoint: String, route: String) throws {
        #expect(try ServiceEndpoints.batchRoute(endpoint, allowInsecureHTTP: false).string == route)
    }

    @Test func refusesPlainHTTPElsewhereUnlessAllowed() throws {
        #expect(throws: ConfigurationError.insecureHTTP("http://example.com/v1")) {
            try ServiceEndpoints.together(base: "http://example.com/v1", allowInsecureHTTP: false)
        }
        #expect(throws: ConfigurationError.insecureHTTP("http://127.0.0.1.evil.com")) {
            try ServiceEndpoints.together(base: "http://127.0.0.1.evil.com", allowInsecureHTTP: false)
        }
        _ = try ServiceEndpoints.together(base: "http://example.com", allowInsecureHTTP: true)
    }

    @Test(arguments: ["ftp://x", "api.together.xyz", "https://", "https://a b.com", "https://x/\u{1b}[2J"])
    func refusesNonsense(url: String) {
        #expect(throws: ConfigurationError.self) { try ServiceEndpoints.together(base: url, allowInsecureHTTP: true) }
    }

    /// A base URL with secret parts is refused, and the message does not repeat them.
    @Test(arguments: [
        ("https://user:hunter2@api.together.xyz/v1", "hunter2"),
        ("https://api.together.xyz/v1?key=hunter2", "hunter2"),
        ("https://api.together.xyz/v1#hunter2", "hunter2"),
        ("https://user:hunter2@x y", "hunter2"),
    ])
    func refusesSecretPartsWithoutEchoingThem(url: String, secret: String) {
        do {
            _ = try ServiceEndpoints.together(base: url, allowInsecureHTTP: false)
            Issue.record("accepted \(url)")
        } catch {
            #expect(!error.description.contains(secret))
            #expect(error.description.contains("TOGETHER_BASE_URL"))
        }
    }

    @Test func loopbackIsOnlyLoopback() throws {
        #expect(try ServiceURL("http://127.0.0.1:5/").isLoopback)
        #expect(try ServiceURL("http://[::1]/").isLoopback)
        #expect(try ServiceURL("http://LOCALHOST/").isLoopback)
        #expect(try !ServiceURL("http://127.0.0.1.evil.com/").isLoopback)
        #expect(try !ServiceURL("http://127.0.0.x/").isLoopback)
        #expect(try ServiceURL("https://cdn.example/a.png?sig=s3cret").display == "https://cdn.example/a.png?…")
    }
}

@Suite struct PathsTests {
    @Test(arguments: [
        ("/a/b/c_images", "/a/b", "c_images"),
        ("/a/x/img", "/a/b", "../x/img"),
        ("/a/b", "/a/b", ""),
        ("/img", "/a/b", "../../img"),
    ])
    func relative(target: String, base: String, expected: String) {
        #expect(Paths.relative(target, from: base) == expected)
    }

    @Test func normalises() {
        #expect(Paths.normalised("/a/./b/../c//d/") == "/a/c/d")
        #expect(Paths.absolute("x/../y.json", base: "/w") == "/w/y.json")
    }
}
