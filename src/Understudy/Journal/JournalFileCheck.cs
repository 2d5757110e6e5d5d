using Mono.Unix;

namespace Understudy.Journal;

/// <summary>What became of the journal file under a running controller.</summary>
public enum JournalFileChange
{
    Intact,
    /// <summary>No file at the path any more (deleted, or its folder was).</summary>
    Gone,
    /// <summary>Another file is at the path (moved in, restored from a backup).</summary>
    Replaced,
    /// <summary>The same file, shorter than it was: its pages are lost, and the content we hold open is damaged.</summary>
    Truncated,
}

/// <summary>
/// The journal file's identity (device and inode, from stat(2) through Mono.Unix — the BCL exposes neither) and size,
/// so a deletion, replacement or truncation under the running controller is noticed: SQLite would go on writing to
/// the unlinked file, and the next start would fold an empty or older journal.
/// </summary>
public sealed record JournalFileIdentity(long Device, long Inode, long Size)
{
    public static JournalFileIdentity? Of(string path)
    {
        try
        {
            var info = new UnixFileInfo(path);
            return info.Exists ? new JournalFileIdentity(info.Device, info.Inode, info.Length) : null;
        }
        catch (Exception e) when (e is UnixIOException or InvalidOperationException or IOException) { return null; }
    }

    /// <summary>How the file at the path now differs from this one (the file this controller opened, at its last seen size).</summary>
    public JournalFileChange Compare(JournalFileIdentity? now) => now switch
    {
        null => JournalFileChange.Gone,
        _ when now.Device != Device || now.Inode != Inode => JournalFileChange.Replaced,
        // SQLite never shrinks the file on its own here (no VACUUM, no auto_vacuum).
        _ when now.Size < Size => JournalFileChange.Truncated,
        _ => JournalFileChange.Intact,
    };
}
