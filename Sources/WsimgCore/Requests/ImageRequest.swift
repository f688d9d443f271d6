/// One picture to generate, after the generator's size and prompt rules.
public struct ImageRequest: Sendable, Equatable {
    public let id: String
    public let caption: String?
    /// The prompt as the teacher wrote it.
    public let prompt: String
    /// The prompt as an in-process provider sends it (enhanced unless `--no-enhance`).
    public let promptToSend: String
    public let width: Int
    public let height: Int
    public let seed: UInt32

    public init(id: String, caption: String?, prompt: String, promptToSend: String, width: Int, height: Int, seed: UInt32) {
        self.id = id
        self.caption = caption
        self.prompt = prompt
        self.promptToSend = promptToSend
        self.width = width
        self.height = height
        self.seed = seed
    }

    /// What the progress display calls this image: its caption, else its prompt.
    public var label: String { caption.flatMap { $0.isEmpty ? nil : $0 } ?? prompt }
}

public struct RequestOptions: Sendable, Equatable {
    public var enhancePrompts = true
    /// One seed for every image; nil derives each image's seed from its request.
    public var fixedSeed: UInt32?

    public init(enhancePrompts: Bool = true, fixedSeed: UInt32? = nil) {
        self.enhancePrompts = enhancePrompts
        self.fixedSeed = fixedSeed
    }
}

extension ImageRequest {
    public init(_ placeholder: Placeholder, options: RequestOptions) {
        let width = SizeRules.normalise(placeholder.width)
        let height = SizeRules.normalise(placeholder.height)
        let sent = options.enhancePrompts ? PromptEnhancer.enhance(placeholder.prompt) : placeholder.prompt
        let seed = options.fixedSeed ?? SeedDerivation.seed(prompt: sent, width: width, height: height)
        self.init(id: placeholder.id, caption: placeholder.caption, prompt: placeholder.prompt,
                  promptToSend: sent, width: width, height: height, seed: seed)
    }
}
