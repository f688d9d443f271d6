/// A source of pictures. Returns the image file's bytes; the pipeline validates and stores them.
public protocol ImageProvider: Sendable {
    var name: String { get }
    /// Everything besides the request's id that determines the picture; hashed into the file name.
    func cacheKeyFields(for request: ImageRequest) -> [String]
    func generate(_ request: ImageRequest) async throws(GenerationError) -> [UInt8]
}

extension ImageProvider {
    public func cacheKey(for request: ImageRequest) -> String {
        CacheKey.make(cacheKeyFields(for: request))
    }
}
