/// wsimg's version: `--version`, the User-Agent and the report all read it from here.
public enum Version {
    public static let current = "0.2.0"
}
