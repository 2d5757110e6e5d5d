namespace Understudy.Config;

/// <summary>
/// <c>file:PATH</c> as a secret's value stands for the text of that file, the way Docker and Kubernetes mount
/// secrets, so the secret is neither in the config nor in the environment. Only secrets take it: elsewhere
/// <c>file:</c> is ordinary text (a hook argument such as <c>file:///tmp/x</c> stays what it says).
/// </summary>
internal static class FileReferences
{
    public const string Prefix = "file:";

    /// <summary>
    /// Decided on the text as written, so a value from <c>${NAME}</c> that happens to start with <c>file:</c>
    /// is taken literally and never sends Understudy to read some other file.
    /// </summary>
    public static bool IsReference(string written) => written.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The file's text (a regular file of at most 64 KiB) without its trailing newline (<c>echo secret &gt; file</c> writes one), or null with why
    /// not. The message names <paramref name="shown"/>, never anything read from the file.
    /// </summary>
    public static string? Read(string fullPath, string shown, out string whyNot) =>
        SmallFile.Read(fullPath, MaxBytes, shown, out whyNot)?.TrimEnd('\n', '\r');

    /// <summary>A secret is a token or a key: 64 KiB is plenty, and a device or a huge file is refused rather than read.</summary>
    public const long MaxBytes = 64 * 1024;
}
