import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Everything wsimg says about itself, in one place: `--help`, `wsimg help COMMAND`, the man page and
/// the shell completions are all rendered from these records, and the parser reads the same option
/// specs, so none of them can drift from the code.
package struct CommandDoc: Sendable {
    package enum Operand: Sendable, Equatable {
        case none, worksheet, pngPaths, command, shell
        /// `wsimg cache clean`.
        case clean
        /// A worksheet, then its elements' ids (`candidates`, `pick`).
        case worksheetThenElements
    }

    package let name: String
    package let synopsis: String
    /// One line, for the command list.
    package let summary: String
    package let description: [String]
    package let options: [OptionSpec]
    package let operand: Operand
    package let examples: [(command: String, what: String)]
    /// What the command list shows after the name, when not the operand's usual words.
    package var operandText: String? = nil

    /// `wsimg generate WORKSHEET`: the short form the command list shows.
    package var listing: String {
        if let operandText { return "wsimg \(name) \(operandText)" }
        let operandName =
            switch operand {
            case .none: ""
            case .worksheet: " WORKSHEET"
            case .pngPaths: " PATH…"
            case .command: " [COMMAND]"
            case .shell: " SHELL"
            case .clean: " [clean]"
            case .worksheetThenElements: " WORKSHEET [ID…]"
            }
        return "wsimg \(name)\(operandName)"
    }
}

package enum Docs {
    package static let tagline = "generate the pictures of a worksheet with FLUX.1-schnell"

    package static let generate = CommandDoc(
        name: "generate", synopsis: "wsimg generate WORKSHEET… [options]",
        summary: "generate missing pictures and link them from the worksheet",
        description: [
            "Reads WORKSHEET (JSON with pages[].elements[], or '-' for stdin), generates a PNG for every image-placeholder element's imagePrompt, and sets each element's properties.url. Pictures already present for the same request are not generated again; elements without a prompt are skipped.",
            "Several worksheets, or folders of them (*.json), run as one job: one progress display, one rate budget, and a picture several of them ask for is made once.",
        ],
        options: GenerateOptions.specs, operand: .worksheet,
        examples: [
            ("wsimg generate lesson.json", "pictures into lesson_images/, lesson.json updated in place"),
            ("wsimg generate lesson.json --embed -o upload.json", "pictures inside the worksheet, for the web app"),
            ("wsimg generate lesson.json --redo 1-2", "a new picture for element 1-2, kept by later runs"),
            ("wsimg generate lesson.json --dry-run", "what would be made and what it costs; nothing sent"),
            ("wsimg generate lesson.json --provider placeholder", "offline pictures of the right sizes"),
            ("wsimg generate worksheets/ --output-dir build", "every worksheet of the folder, into build/"),
        ], operandText: "WORKSHEET…")

    package static let prompts = CommandDoc(
        name: "prompts", synopsis: "wsimg prompts WORKSHEET [--json] [generate options]",
        summary: "list the image requests, which pictures exist, and the cost (no key needed)",
        description: [
            "Lists every image request of WORKSHEET: id, size as generated, status (present: a valid picture for this exact request exists; missing; kept: its url was not made by wsimg; invalid; skipped: no prompt), caption and prompt, then the cost estimate of what is missing. Needs no key and sends nothing.",
            "It accepts the generate options that change what is generated (--provider, --model, --steps, --seed, --no-enhance, --endpoint, --images-dir, -o), so the statuses match the run you plan.",
        ],
        options: [OptionSpec(["--json"], help: "print JSON instead of text")]
            + GenerateOptions.specs.filter { !["--report", "--dry-run", "--api-key", "--redo", "--no-wait", "--no-cache", "--cache-dir", "--output-dir"].contains($0.longName) },
        operand: .worksheet,
        examples: [("wsimg prompts lesson.json --steps 8", "statuses and cost for 8 steps")])

    package static let candidates = CommandDoc(
        name: "candidates", synopsis: "wsimg candidates WORKSHEET [ID…] [--json]",
        summary: "list the pictures made for each element, to pick another (no key needed)",
        description: [
            "Lists, for each image element (or the elements ID… names: ids, positions or #N), every picture made for its current prompt and size: the first picture, the ones --redo replaced and --variants made. They are numbered from 1 (the oldest); * marks the one the worksheet links. Each line gives the file, the seed and its age. Needs no key and sends nothing.",
            "Pictures made for an element's earlier prompt are kept until 'wsimg generate --prune'.",
        ],
        options: CandidatesCommand.specs, operand: .worksheetThenElements,
        examples: [("wsimg candidates lesson.json 1-2", "the pictures of element 1-2")])

    package static let pick = CommandDoc(
        name: "pick", synopsis: "wsimg pick WORKSHEET ID N [generate options]",
        summary: "link candidate N of element ID (as 'wsimg candidates' numbers them); no request is sent, no key needed",
        description: [
            "Links candidate N of element ID and keeps it for later runs until the element's prompt or size changes. No request is sent: a picture that is missing or out of date for another element is left as it is and the exit code is 1. The worksheet is written as 'generate' writes it: in place, to -o FILE, or with --embed."
        ],
        options: PickCommand.specs, operand: .worksheetThenElements,
        examples: [
            ("wsimg pick lesson.json 1-2 1", "back to the first picture of element 1-2"),
            ("wsimg pick lesson.json 1-2 3 --embed -o upload.json", "the third, inside the worksheet for the web app"),
        ], operandText: "WORKSHEET ID N")

    package static let validate = CommandDoc(
        name: "validate", synopsis: "wsimg validate PATH… [--worksheet FILE]",
        summary: "check PNG files and a worksheet's pictures",
        description: [
            "Decodes every PNG (files, or *.png in folders) fully with libpng and prints one line per problem on stdout. Exit 0 when all are valid, 1 when some are not, 2 for usage errors."
        ],
        options: ValidateCommand.specs, operand: .pngPaths,
        examples: [("wsimg validate lesson_images --worksheet lesson.json", "every picture, and every link of the worksheet")])

    package static let preview = CommandDoc(
        name: "preview", synopsis: "wsimg preview WORKSHEET… [-o FILE.html] [--open]",
        summary: "one offline HTML page showing every picture and its candidates",
        description: [
            "Writes one self-contained HTML page (pictures inlined, no external assets; open it from file:// in any browser) with every image element in worksheet order, grouped by page: the picture, or a box saying why there is none, with its id, caption, size and prompt. Under it, an element with several candidates shows them all, small, each with its number and the 'wsimg pick' command that links it.",
            "Several worksheets, or a folder of them, make one page with a section each. The title comes from the worksheet's metadata.topic (or title), the page's language from metadata.language.",
        ],
        options: PreviewCommand.specs, operand: .worksheet,
        examples: [
            ("wsimg preview lesson.json --open", "writes lesson.preview.html and opens it"),
            ("wsimg preview worksheets/ -o all.html", "every worksheet of the folder on one page"),
        ], operandText: "WORKSHEET…")

    package static let cache = CommandDoc(
        name: "cache", synopsis: "wsimg cache [clean [--older-than DAYS]]",
        summary: "show the picture cache (folder, pictures, size), or empty it",
        description: [
            "Prints the picture cache's folder, how many pictures it holds and their size against its limit. 'wsimg cache clean' deletes them all, or with --older-than DAYS those not used for that many days; the next runs make (and pay for) them again when asked."
        ],
        options: CacheCommand.specs, operand: .clean,
        examples: [("wsimg cache clean --older-than 30", "pictures not used for a month")])

    package static let completion = CommandDoc(
        name: "completion", synopsis: "wsimg completion bash|zsh|fish",
        summary: "print the shell completion script",
        description: ["Prints the completion script for the shell: commands, every option of each command, provider names, worksheets, folders."],
        options: [], operand: .shell,
        examples: [("wsimg completion bash > ~/.local/share/bash-completion/completions/wsimg", "completion for bash")])

    package static let help = CommandDoc(
        name: "help", synopsis: "wsimg help [COMMAND]",
        summary: "show help (also: wsimg --help, wsimg COMMAND --help)",
        description: [], options: [], operand: .command, examples: [])

    package static let commands = [generate, prompts, candidates, pick, validate, preview, cache, completion, help]

    package static func command(_ name: String) -> CommandDoc? { commands.first { $0.name == name } }

    package static let environment: [(name: String, meaning: String)] = [
        ("TOGETHER_API_KEY", "Together AI key (required with --provider together)"),
        ("TOGETHER_API_KEY_FILE", "file holding the key (its first line), read when TOGETHER_API_KEY is unset"),
        ("TOGETHER_BASE_URL", "API base URL, with or without /v1 (default \(TogetherProvider.defaultBaseURL))"),
        ("WSIMG_ENDPOINT", "the web app's URL or its batch route; like --endpoint"),
        ("WSIMG_ENDPOINT_TOKEN", "sent as 'Authorization: Bearer …' to an endpoint that requires it"),
        ("CURL_CA_BUNDLE", "PEM file of trusted CAs (a school's TLS-inspecting proxy); else SSL_CERT_FILE"),
        ("SSL_CERT_FILE, SSL_CERT_DIR", "trusted CAs, as curl and Together's SDK read them"),
        ("https_proxy, http_proxy, ALL_PROXY, NO_PROXY", "proxies, as curl reads them; never used for loopback"),
        ("WSIMG_PRICE_PER_MP", "dollars per megapixel for the cost estimate"),
        ("WSIMG_CACHE_DIR", "the picture cache shared by all worksheets and runs; like --cache-dir (default $XDG_CACHE_HOME/wsimg, else ~/.cache/wsimg)"),
        ("WSIMG_CACHE_SIZE", "the cache's size limit in MiB, 1 to 16777216 (default 2048); the least recently used pictures go first"),
        ("XDG_CACHE_HOME", "the cache goes to $XDG_CACHE_HOME/wsimg when set (absolute), else ~/.cache/wsimg"),
        ("XDG_RUNTIME_DIR", "where runs that share a key share their pace ($XDG_RUNTIME_DIR/wsimg/pace), else the cache folder"),
        ("TMPDIR", "where a worksheet read from stdin is copied (an unlinked temporary file); default /tmp"),
        ("COLUMNS", "width of the progress line"),
        ("TERM=dumb", "plain log lines even on a terminal"),
        ("NO_COLOR", "honoured: wsimg never prints colour codes"),
        ("DISPLAY, WAYLAND_DISPLAY", "preview --open opens the page (xdg-open) only when one is set"),
    ]

    package static let exitCodes: [(code: String, meaning: String)] = [
        ("0", "every image is present"),
        ("1", "some images could not be generated (the worksheet is written with the rest), rate limits would hold the run longer than --max-wait, the worksheet's images were edited during the run, or (--strict) there were warnings"),
        ("2", "usage, input, output or configuration error (nothing sent or written), the key was refused, the URL answered 404 or a redirect, or the service could not be reached at all"),
        ("130", "interrupted by Ctrl-C, SIGTERM, SIGHUP or a closed output pipe (what was generated is kept and linked)"),
    ]

    package static let files: [(path: String, meaning: String)] = [
        ("NAME_images/ID-KEY.png", "the pictures, beside the output worksheet; KEY is a hash of everything that makes the picture"),
        ("NAME_images/.wsimg-redo.json", "the seeds --redo and pick chose (kept until the element's prompt or size changes) and every element's candidates"),
        (".wsimg-PID-XXXXXX.tmp", "files being written; a later run removes those no running wsimg holds"),
        ("NAME.preview.html", "the page wsimg preview writes (several worksheets: preview.html beside the first)"),
        (".NAME.json.wsimg-backup", "with --hard-links update: the new version while a hard-linked worksheet is rewritten in place; the next run finishes a copy a kill cut short"),
        ("NAME_images/.wsimg.lock", "held by the run generating into the folder; a second run waits for it"),
        ("~/.cache/wsimg/v1/png/", "the picture cache (CACHEDIR.TAG marks it for backup tools)"),
    ]
}
