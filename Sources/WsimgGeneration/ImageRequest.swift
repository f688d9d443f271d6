import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// One picture to generate, after the generator's size and prompt rules.
package struct ImageRequest: Sendable, Equatable {
    package let id: String
    package let caption: String?
    /// The prompt as the teacher wrote it.
    package let prompt: String
    /// The prompt as an in-process provider sends it (enhanced unless `--no-enhance`).
    package let promptToSend: String
    /// The size to generate, after the size rules.
    package let width: Int
    package let height: Int
    /// The size as the worksheet gives it (512 when missing), which the web app's route expects.
    package let requestedWidth: Int
    package let requestedHeight: Int
    package let seed: UInt32
    /// The seed was chosen by `--redo` (kept in the images folder), not derived from the request.
    package let redone: Bool
    /// Where an answer's picture is streamed as it arrives: the folder it will be kept in (set by the
    /// run; nil keeps it in memory). Not part of what the picture is.
    package var spoolFolder: String?

    package init(
        id: String, caption: String?, prompt: String, promptToSend: String, width: Int, height: Int, seed: UInt32,
        requestedWidth: Int? = nil, requestedHeight: Int? = nil, redone: Bool = false
    ) {
        self.redone = redone
        self.id = id
        self.caption = caption
        self.prompt = prompt
        self.promptToSend = promptToSend
        self.width = width
        self.height = height
        self.requestedWidth = requestedWidth ?? width
        self.requestedHeight = requestedHeight ?? height
        self.seed = seed
    }

    /// What the progress display calls this image: its caption, else its prompt.
    package var label: String { caption.flatMap { $0.isEmpty ? nil : $0 } ?? prompt }
}

/// A seed chosen for an element (`--redo`, `pick`), the request it was chosen for, and when (the
/// later choice wins when two images folders' choices are read together).
package struct ChosenSeed: Sendable, Equatable {
    package let fingerprint: String
    package let seed: UInt32
    /// False: the element's own seed, chosen back by `pick` (only the time matters then).
    package var redone = true
    package var chosen = 0

    package init(fingerprint: String, seed: UInt32, redone: Bool = true, chosen: Int = 0) {
        self.fingerprint = fingerprint
        self.seed = seed
        self.redone = redone
        self.chosen = chosen
    }
}

extension ImageRequest {
    /// What a chosen seed belongs to: the prompt as sent and the size. Another prompt or size, another picture.
    package static func fingerprint(prompt: String, width: Int, height: Int) -> String {
        CacheKey.make(["redo", prompt, "\(width)x\(height)"])
    }
}

package struct RequestOptions: Sendable, Equatable {
    package var enhancePrompts = true
    /// One seed for every image; nil derives each image's seed from its request.
    package var fixedSeed: UInt32?
    /// Seeds `--redo` chose, by element id; used while the element asks for the same picture.
    package var redoSeeds: [String: ChosenSeed] = [:]

    package init(enhancePrompts: Bool = true, fixedSeed: UInt32? = nil) {
        self.enhancePrompts = enhancePrompts
        self.fixedSeed = fixedSeed
    }
}

extension ImageRequest {
    package init(_ placeholder: Placeholder, options: RequestOptions) {
        let width = SizeRules.normalise(placeholder.width)
        let height = SizeRules.normalise(placeholder.height)
        let sent = options.enhancePrompts ? PromptEnhancer.enhance(placeholder.prompt) : placeholder.prompt
        let redo = options.redoSeeds[placeholder.id].flatMap {
            $0.redone && $0.fingerprint == ImageRequest.fingerprint(prompt: sent, width: width, height: height) ? $0.seed : nil
        }
        let seed = redo ?? options.fixedSeed ?? SeedDerivation.seed(prompt: sent, width: width, height: height)
        self.init(
            id: placeholder.id, caption: placeholder.caption, prompt: placeholder.prompt, promptToSend: sent,
            width: width, height: height, seed: seed, requestedWidth: placeholder.width, requestedHeight: placeholder.height,
            redone: redo != nil)
    }
}
