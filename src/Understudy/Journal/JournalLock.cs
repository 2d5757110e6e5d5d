namespace Understudy.Journal;

/// <summary>
/// One writer per journal: an exclusive lock on <c>JOURNAL.lock</c>, held while the controller runs
/// (.NET takes an flock for FileShare.None on Linux, released by the kernel if the process dies). Two
/// controllers deciding on one journal would each advance epochs on their own. The holder's pid goes in
/// <c>JOURNAL.pid</c>: the locked file itself cannot be read by another process.
/// </summary>
public sealed class JournalLock : IDisposable
{
    private readonly FileStream _file;

    private JournalLock(FileStream file) => _file = file;

    public static JournalLock Acquire(string journalPath)
    {
        string path = journalPath + ".lock";
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadPid(journalPath + ".pid");
            throw new JournalException($"another controller{(holder.Length > 0 ? $" (pid {holder})" : "")} is writing {journalPath}; one journal takes one controller");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new JournalException($"cannot lock {journalPath}: {e.Message}");
        }
        try
        {
            File.WriteAllText(journalPath + ".pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // only a courtesy for the message above
        return new JournalLock(file);
    }

    private static string ReadPid(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    public void Dispose() => _file.Dispose();
}
