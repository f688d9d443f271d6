/// Where wsimg keeps what outlives a run, from the command line and the environment: one rule for
/// the picture cache and the pace state that lives beside it.
package enum StateFolders {
    /// `--cache-dir`, else `WSIMG_CACHE_DIR`, else `$XDG_CACHE_HOME/wsimg` (when absolute), else
    /// `~/.cache/wsimg`; nil when disabled (`--no-cache`) or without a home.
    package static func cache(option: String?, disabled: Bool, environment: [String: String]) -> String? {
        guard !disabled else { return nil }
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let option { return Paths.absolute(option) }
        if let configured = value("WSIMG_CACHE_DIR") { return Paths.absolute(configured) }
        if let xdg = value("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return xdg + "/wsimg" }
        return value("HOME").map { $0 + "/.cache/wsimg" }
    }
}
