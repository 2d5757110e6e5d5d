using System.Runtime.InteropServices;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>
/// The shared memory a postmaster leaves behind when it dies without shutting down (SIGKILL): its SysV header segment
/// and its dynamic shared memory files in /dev/shm. PostgreSQL removes them at its next start in the same data folder,
/// which never comes for a deleted temp cluster, so each crash test would leak them until reboot. This does what that
/// start does (dsm_cleanup_using_control_segment), for this server's segments only: other postgres may run here.
/// </summary>
internal static class PgIpc
{
    private const int ShmemMagic = 679834894;               // PGShmemMagic, pg_shmem.h
    private const uint DsmControlMagic = 0x9a503d32;        // PG_DYNSHMEM_CONTROL_MAGIC, dsm.c
    private const int DsmControlOffset = 24;                // PGShmemHeader.dsm_control on 64-bit Linux
    private const int ItemsOffset = 16, ItemSize = 40;      // dsm_control_header and dsm_control_item on 64-bit Linux
    private const int ShmRdOnly = 0x1000, IpcRmid = 0;

    /// <summary>The SysV segment id from line 7 of postmaster.pid ("key id"); null when there is none.</summary>
    public static int? SysVId(string dataDir)
    {
        string file = Path.Combine(dataDir, "postmaster.pid");
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (IOException) { return null; }
        return lines.Length > 6 && lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var id] && int.TryParse(id, out int shmid) ? shmid : null;
    }

    /// <summary>Whether a SysV segment with this id exists, from /proc/sysvipc/shm.</summary>
    public static bool SysVExists(int shmid) => Attachments(shmid) is not null;

    /// <summary>The /dev/shm files of the server whose postmaster was <paramref name="pid"/>: its control segment and those it lists.</summary>
    public static IReadOnlyList<string> DsmFiles(string dataDir, int pid)
    {
        if (SysVId(dataDir) is not { } shmid || ControlHandle(shmid, pid) is not { } control) return [];
        string path = DsmPath(control);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return []; }
        if (bytes.Length < ItemsOffset || BitConverter.ToUInt32(bytes, 0) != DsmControlMagic) return [];
        var files = new List<string> { path };
        uint items = BitConverter.ToUInt32(bytes, 4);
        for (int i = 0; i < items && ItemsOffset + (i + 1) * ItemSize <= bytes.Length; i++)
        {
            uint handle = BitConverter.ToUInt32(bytes, ItemsOffset + i * ItemSize), refs = BitConverter.ToUInt32(bytes, ItemsOffset + i * ItemSize + 4);
            // refcnt 0 is a free slot; an odd handle lives in the main shared memory, which has no file.
            if (refs > 0 && handle % 2 == 0) files.Add(DsmPath(handle));
        }
        return files;
    }

    /// <summary>Removes what the dead postmaster <paramref name="pid"/> left; nothing while any process is still attached.</summary>
    public static void CleanUp(string dataDir, int pid)
    {
        if (SysVId(dataDir) is not { } shmid || Attachments(shmid) != 0 || ControlHandle(shmid, pid) is null) return;
        foreach (string file in DsmFiles(dataDir, pid)) File.Delete(file);
        shmctl(shmid, IpcRmid, IntPtr.Zero);
    }

    /// <summary>The header's dsm_control, if the segment is still the one <paramref name="pid"/> created.</summary>
    private static uint? ControlHandle(int shmid, int pid)
    {
        IntPtr addr = shmat(shmid, IntPtr.Zero, ShmRdOnly);
        if (addr == -1) return null;
        try
        {
            return Marshal.ReadInt32(addr, 0) == ShmemMagic && Marshal.ReadInt32(addr, 4) == pid ? (uint)Marshal.ReadInt32(addr, DsmControlOffset) : null;
        }
        finally { shmdt(addr); }
    }

    /// <summary>nattch of the segment, or null when it does not exist.</summary>
    public static int? Attachments(int shmid)
    {
        foreach (string line in File.ReadLines("/proc/sysvipc/shm").Skip(1))
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var id, _, _, _, _, var nattch, ..] && id == $"{shmid}") return int.Parse(nattch);
        return null;
    }

    private static string DsmPath(uint handle) => $"/dev/shm/PostgreSQL.{handle}";

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr shmat(int shmid, IntPtr addr, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int shmdt(IntPtr addr);

    [DllImport("libc", SetLastError = true)]
    private static extern int shmctl(int shmid, int cmd, IntPtr buf);
}
