import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// What generating a plan's missing pictures will cost, before any credit is spent:
/// `12 images, 3.1 MP, ≈ $0.008 at $0.0027/MP (FLUX.1 schnell, 4 steps; set WSIMG_PRICE_PER_MP)`.
package struct CostEstimate: Sendable, Equatable {
    /// Together's price for FLUX.1 schnell at its default 4 steps; the price scales with steps / 4.
    package static let schnellPricePerMP = 0.0027

    package let images: Int
    package let megapixels: Double
    /// Dollars per megapixel, when known.
    package let pricePerMP: Double?
    /// Where the price comes from, or why there is none.
    package let basis: String
    /// Requests per second this key was last allowed, when known: the plan's time is N / rate.
    package var rate: Double?

    package init(images: Int, megapixels: Double, pricePerMP: Double?, basis: String) {
        self.images = images
        self.megapixels = megapixels
        self.pricePerMP = pricePerMP
        self.basis = basis
    }

    /// The estimate for `plan`'s images to generate with `options`, `WSIMG_PRICE_PER_MP` taking precedence.
    package init(plan: GenerationPlan, options: GenerateOptions, provider: ProviderKind, environment: [String: String]) {
        // --variants: that many pictures of each.
        let requests = plan.jobs.map(\.request).flatMap { Array(repeating: $0, count: max(1, options.variants)) }
        let megapixels = requests.reduce(0.0) { $0 + Double($1.width * $1.height) / 1_000_000 }
        let (price, basis) = Self.price(options: options, provider: provider, environment: environment)
        self.init(images: requests.count, megapixels: megapixels, pricePerMP: price, basis: basis)
    }

    /// Dollars per megapixel for `options` and `provider` (nil when unknown), and where that comes from:
    /// one rule for the estimate before a run and the cost a report counts after it.
    package static func price(options: GenerateOptions, provider: ProviderKind, environment: [String: String]) -> (perMP: Double?, basis: String) {
        let override = environment["WSIMG_PRICE_PER_MP"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let schnell = options.model.hasPrefix("black-forest-labs/FLUX.1-schnell") && !options.model.hasSuffix("-Free")
        if let override { return (override, "WSIMG_PRICE_PER_MP") }
        if provider == .placeholder { return (0, "placeholder pictures are free") }
        if provider == .remote { return (nil, "the server's account pays; set WSIMG_PRICE_PER_MP to estimate") }
        if schnell { return (Self.schnellPricePerMP * Double(options.steps) / 4, "FLUX.1 schnell, \(options.steps) steps; set WSIMG_PRICE_PER_MP") }
        return (nil, "no price known for \(options.model); set WSIMG_PRICE_PER_MP")
    }

    package var line: String {
        let head = "\(images) image\(images == 1 ? "" : "s"), \(String(format: "%.1f", megapixels)) MP"
        let time = rate.map { "; ≈ \(ProgressDisplay.seconds(Double(images) / $0)) at \(String(format: "%g", ($0 * 10).rounded() / 10)) requests/s, the rate your key was last allowed" } ?? ""
        guard let pricePerMP else { return head + " (\(basis))" + time }
        let total = megapixels * pricePerMP
        return head + ", ≈ $\(Self.dollars(total)) at $\(Self.dollars(pricePerMP))/MP (\(basis))" + time
    }

    /// Two significant digits below a dollar, cents above.
    package static func dollars(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 1 { return String(format: "%.2f", value) }
        let digits = max(2, Int((-log10(value)).rounded(.up)) + 1)
        return String(format: "%.\(digits)f", value)
    }

    /// A warning for steps that cost more and rarely help with schnell.
    package static func stepsWarning(_ options: GenerateOptions) -> String? {
        guard options.model.hasPrefix("black-forest-labs/FLUX.1-schnell"), options.steps > 4 else { return nil }
        return "FLUX.1 schnell is made for 4 steps: --steps \(options.steps) costs \(String(format: "%g", Double(options.steps) / 4))× as much and rarely looks better"
    }
}
