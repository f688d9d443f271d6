/// wsimg's version, in one place: `--version`, the User-Agent, the report, the man page and the
/// release tarball's name (the Makefile reads it from here) all use it.
package enum Version {
    package static let current = "0.4.0"
    /// The release date, for the man page (so it is the same on every build).
    package static let date = "2026-11-28"
}
