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

@Suite struct RequestRulesTests {
    @Test(arguments: [
        (512, 512), (400, 400), (300, 304), (303, 304), (295, 288), (296, 304), (100, 256), (0, 256),
        (2048, 2048), (2100, 2048), (5000, 2048), (1000, 1008), (600, 608), (384, 384),
    ])
    func normalisesSidesLikeTheServer(side: Int, expected: Int) {
        #expect(SizeRules.normalise(side) == expected)
    }

    @Test func enhancesPromptsLikeTheServer() {
        #expect(PromptEnhancer.enhance("A cat") == "A cat, educational content, child-friendly, professional digital art, vibrant colors")
        #expect(PromptEnhancer.enhance("A cat, Child-Friendly style") == "A cat, Child-Friendly style, professional digital art, vibrant colors")
        #expect(PromptEnhancer.enhance("volcano, safe for children") == "volcano, safe for children, professional digital art, vibrant colors")
        #expect(PromptEnhancer.enhance("BRIGHT AND ENGAGING owl").hasSuffix(", professional digital art, vibrant colors"))
    }

    func placeholder(prompt: String = "cat", width: Int = 400, height: Int = 300) throws -> Placeholder {
        let text = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":\#(JSONWriter.quoted(prompt)),"width":\#(width),"height":\#(height)}}]}]}"#
        return try #require(try Worksheet(source: Array(text.utf8)).placeholders.first)
    }

    @Test func buildsRequestsWithNormalisedSizeAndDerivedSeed() throws {
        let request = ImageRequest(try placeholder(), options: RequestOptions())
        #expect(request.width == 400 && request.height == 304)
        #expect(request.promptToSend.hasPrefix("cat, educational content"))
        #expect(request.seed == SeedDerivation.seed(prompt: request.promptToSend, width: 400, height: 304))
        #expect(request.seed <= UInt32(Int32.max))
        let again = ImageRequest(try placeholder(), options: RequestOptions())
        #expect(again.seed == request.seed)
        let other = ImageRequest(try placeholder(prompt: "dog"), options: RequestOptions())
        #expect(other.seed != request.seed)
    }

    @Test func honoursNoEnhanceAndFixedSeed() throws {
        let request = ImageRequest(try placeholder(), options: RequestOptions(enhancePrompts: false, fixedSeed: 42))
        #expect(request.promptToSend == "cat")
        #expect(request.seed == 42)
    }

    @Test func cacheKeysAreStableShortAndSensitive() throws {
        let key = CacheKey.make(["together", "m", "cat", "400x304", "steps=4", "seed=1"])
        #expect(key.count == 12)
        #expect(CacheKey.isKey(Substring(key)))
        // Fixed value: file names must stay the same across runs, machines and compiler versions.
        #expect(CacheKey.make(["a"]) == CacheKey.make(["a"]))
        #expect(StableHash.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(CacheKey.make(["ab", "c"]) != CacheKey.make(["a", "bc"]))
        let provider = TogetherProvider(endpoint: try ServiceURL("https://x/v1/images/generations"), apiKey: "k", model: "m", steps: 4, timeout: 1, transport: NoTransport())
        let base = ImageRequest(try placeholder(), options: RequestOptions())
        let resized = ImageRequest(try placeholder(height: 400), options: RequestOptions())
        let reworded = ImageRequest(try placeholder(prompt: "cat!"), options: RequestOptions())
        #expect(provider.cacheKey(for: base) != provider.cacheKey(for: resized))
        #expect(provider.cacheKey(for: base) != provider.cacheKey(for: reworded))
        let moreSteps = TogetherProvider(endpoint: try ServiceURL("https://x/v1/images/generations"), apiKey: "k", model: "m", steps: 8, timeout: 1, transport: NoTransport())
        #expect(provider.cacheKey(for: base) != moreSteps.cacheKey(for: base))
        #expect(provider.cacheKey(for: base) != PlaceholderProvider().cacheKey(for: base))
    }

    @Test func togetherBodyAsksForPNGAsBase64() throws {
        let provider = TogetherProvider(endpoint: try ServiceEndpoints.together(base: "https://x/", allowInsecureHTTP: false), apiKey: "k", model: "black-forest-labs/FLUX.1-schnell", steps: 4, timeout: 1, transport: NoTransport())
        let request = ImageRequest(try placeholder(prompt: "Кіт \"Мурчик\""), options: RequestOptions(fixedSeed: 7))
        let body = try JSONParser.parse(Array(provider.body(for: request).utf8))
        #expect(body["model"]?.stringValue == "black-forest-labs/FLUX.1-schnell")
        #expect(body["prompt"]?.stringValue == request.promptToSend)
        #expect(body["width"]?.numberValue == 400)
        #expect(body["height"]?.numberValue == 304)
        #expect(body["steps"]?.numberValue == 4)
        #expect(body["n"]?.numberValue == 1)
        #expect(body["seed"]?.numberValue == 7)
        #expect(body["response_format"]?.stringValue == "base64")
        #expect(body["output_format"]?.stringValue == "png")
        #expect(provider.endpoint.string == "https://x/v1/images/generations")
    }
}

struct NoTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse { throw .other("no network in unit tests") }
}
