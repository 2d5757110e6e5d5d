using System.Text;
using Mono.Unix;

namespace Understudy.Config;

/// <summary>
/// Reads a file Understudy was pointed at (a config, a <c>file:</c> secret) only when it is a regular file of bounded
/// size: a FIFO would block the read forever (and SIGTERM with it), <c>/dev/zero</c> would never end. The file's type
/// comes from stat(2) through Mono.Unix, which the BCL does not expose.
/// </summary>
internal static class SmallFile
{
    /// <summary>The text, or null with why not (naming <paramref name="shown"/>, never anything read from the file).</summary>
    public static string? Read(string path, long maxBytes, string shown, out string whyNot)
    {
        whyNot = "";
        UnixFileInfo info;
        try
        {
            info = new UnixFileInfo(path);
            if (!info.Exists)
            {
                whyNot = $"cannot read {shown}: no such file";
                return null;
            }
            if (info.FileType != FileTypes.RegularFile)
            {
                whyNot = info.FileType == FileTypes.Directory
                    ? $"cannot read {shown}: it is a folder"
                    : $"cannot read {shown}: it is not a regular file (a {Describe(info.FileType)}); only regular files are read";
                return null;
            }
        }
        catch (Exception e) when (e is UnixIOException or ArgumentException or InvalidOperationException)
        {
            whyNot = $"cannot read {shown}: {e.Message}";
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[maxBytes + 1];
            int total = 0, read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
            if (total > maxBytes)
            {
                whyNot = $"cannot read {shown}: it is larger than {Limit(maxBytes)}";
                return null;
            }
            return new UTF8Encoding(false).GetString(buffer, 0, total).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            whyNot = $"cannot read {shown}: no such file";
        }
        catch (UnauthorizedAccessException)
        {
            whyNot = $"cannot read {shown}: permission denied";
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            // The OS's reason names the path at most; nothing read from the file is shown.
            whyNot = $"cannot read {shown}: {e.Message}";
        }
        return null;
    }

    private static string Describe(FileTypes type) => type switch
    {
        FileTypes.Fifo => "FIFO",
        FileTypes.CharacterDevice => "character device",
        FileTypes.BlockDevice => "block device",
        FileTypes.Socket => "socket",
        _ => type.ToString(),
    };

    private static string Limit(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}
