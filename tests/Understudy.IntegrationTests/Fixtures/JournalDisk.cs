using System.Runtime.InteropServices;
using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// A small ext4 file system of its own (a loop-mounted image in a temp folder) for a journal to live on, so a test
/// can break it as a disk breaks — immutable files, I/O errors — without touching the machine's disks. Root only.
/// </summary>
public sealed class JournalDisk : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    private JournalDisk() => Mount = _dir.File("mnt");

    /// <summary>Where the file system is mounted.</summary>
    public string Mount { get; }

    public string File(string name) => Path.Combine(Mount, name);

    public static async Task<JournalDisk> CreateAsync()
    {
        var disk = new JournalDisk();
        string image = disk._dir.File("disk.img");
        Directory.CreateDirectory(disk.Mount);
        await using (var f = new FileStream(image, FileMode.CreateNew)) f.SetLength(32L << 20);
        await Shell.RunAsync("mkfs.ext4", "-q", image);
        // -o loop picks a free loop device and frees it (autoclear) when the file system is unmounted.
        await Shell.RunAsync("mount", "-o", "loop", image, disk.Mount);
        return disk;
    }

    /// <summary><c>chattr ±i</c>: an immutable file refuses every write, even root's, even through a descriptor already open.</summary>
    public Task ImmutableAsync(bool on, params string[] names) => Shell.RunAsync("chattr", [on ? "+i" : "-i", .. names.Select(File)]);

    /// <summary>
    /// Shuts the file system down as the kernel does on a failed disk (EXT4_IOC_SHUTDOWN, without flushing the log):
    /// every later read or write of it fails with an I/O error.
    /// </summary>
    public void ShutDown()
    {
        int fd = open(Mount, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"open {Mount}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            uint flags = 2; // EXT4_GOING_FLAGS_NOLOGFLUSH
            if (ioctl(fd, 0x8004587D /* EXT4_IOC_SHUTDOWN */, ref flags) != 0) throw new IOException($"EXT4_IOC_SHUTDOWN: errno {Marshal.GetLastPInvokeError()}");
        }
        finally { close(fd); }
    }

    public async ValueTask DisposeAsync()
    {
        await Shell.RunAsync("chattr", ["-R", "-i", Mount]).ContinueWith(_ => { }); // best effort: a shut-down disk refuses it
        // A file system that was shut down, or that a dying process still holds, is detached lazily.
        try { await Shell.RunAsync("umount", Mount); }
        catch (InvalidOperationException) { await Shell.RunAsync("umount", "-l", Mount); }
        _dir.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, ref uint arg);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
