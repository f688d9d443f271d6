import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A picture as a provider hands it over: in memory, or already streamed into a temporary file
/// in the images folder. The pipeline validates it either way before it takes a file's place.
package enum ImagePayload: Sendable {
    case bytes([UInt8])
    case spooled(SpooledFile)
}

/// Where the engine puts a validated picture: an images folder (the library's `ImageStore`).
package protocol PictureFolder: Sendable {
    /// The folder itself, where answers are streamed before they take their place.
    var directory: String { get }
    /// The file of the picture `key` made for element `id`.
    func path(id: String, key: String) -> String
    /// Puts a validated picture in place, atomically.
    func store(_ payload: ImagePayload, id: String, key: String) throws(OutputError)
}

/// Which provider: `--provider`'s values.
package enum ProviderKind: String, Sendable, CaseIterable {
    /// Together AI's API, called with the user's key.
    case together
    /// The web app's batch route, which holds the key on its server.
    case remote
    /// Offline pictures of the right size, labelled, for checking a layout.
    case placeholder
}

/// A source of pictures; the pipeline validates and stores what it returns.
package protocol ImageProvider: Sendable {
    var kind: ProviderKind { get }
    /// How many images one call asks for (1 unless the provider batches).
    var batchSize: Int { get }
    /// Everything besides the request's id that determines the picture; hashed into the file name.
    func cacheKeyFields(for request: ImageRequest) -> [String]
    /// What shares one rate limit with other processes (an endpoint and the key used there); nil for none.
    var paceIdentity: String? { get }
    /// The host the provider sends its requests to, for messages; nil for none.
    var serviceHost: String? { get }
    /// The settings that go into `cacheKeyFields` besides the request, named as the user sets them.
    var settings: [ProviderSetting] { get }
    /// One call for `requests`: throws when the whole call failed, else one answer per request, in order.
    func generate(batch requests: [ImageRequest]) async throws(GenerationError) -> [Result<ImagePayload, GenerationError>]
}

/// A provider that makes one picture per call.
package protocol SingleImageProvider: ImageProvider {
    func generate(_ request: ImageRequest) async throws(GenerationError) -> ImagePayload
}

extension SingleImageProvider {
    package var batchSize: Int { 1 }

    package func generate(batch requests: [ImageRequest]) async throws(GenerationError) -> [Result<ImagePayload, GenerationError>] {
        var answers: [Result<ImagePayload, GenerationError>] = []
        for request in requests { answers.append(.success(try await generate(request))) }
        return answers
    }
}

extension ImageProvider {
    /// The provider's name, as `--provider` takes it.
    package var name: String { kind.rawValue }
    package var settings: [ProviderSetting] { [ProviderSetting("--provider", name)] }
    /// A route that holds the key on its server (the web app's batch route): its pace is the route's, not a key's.
    package var isRoute: Bool { false }
    package var paceIdentity: String? { nil }
    package var serviceHost: String? { nil }

    package func cacheKey(for request: ImageRequest) -> String {
        CacheKey.make(cacheKeyFields(for: request))
    }
}
