// Libc: the few POSIX calls the AFL++ forkserver needs that .NET does not expose: SysV shared
// memory (shmat/shmdt) for afl-fuzz's coverage map, raw read/write on the inherited fds 198/199,
// and fcntl to keep those fds out of worker processes. Linux only (the AFL mode is Linux only).
using System.Runtime.InteropServices;

namespace Harness.Fuzz.Afl;

internal static unsafe class Libc
{
    private const int EINTR = 4;
    private const int F_GETFD = 1;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern nint shmat(int shmid, nint shmaddr, int shmflg);

    [DllImport("libc", SetLastError = true)]
    private static extern int shmdt(nint shmaddr);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte* buf, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte* buf, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd, int arg);

    [DllImport("libc", SetLastError = true)]
    private static extern int shmget(int key, nint size, int shmflg);

    [DllImport("libc", SetLastError = true)]
    private static extern int shmctl(int shmid, int cmd, nint buf);

    /// <summary>Creates a private SysV segment the way afl-fuzz does (tests play afl's part with it).</summary>
    public static int CreateShared(int size)
    {
        const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400;
        int id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0x180 /* 0600 */);
        if (id < 0) throw new IOException($"shmget failed: errno {Marshal.GetLastPInvokeError()}");
        return id;
    }

    /// <summary>Marks a segment for removal once every process has detached (IPC_RMID).</summary>
    public static void RemoveShared(int shmId) => shmctl(shmId, 0 /* IPC_RMID */, 0);

    /// <summary>Attaches a SysV segment; throws with errno on failure (shmat returns (void*)-1).</summary>
    public static byte* AttachShared(int shmId)
    {
        nint p = shmat(shmId, 0, 0);
        if (p == -1) throw new IOException($"shmat({shmId}) failed: errno {Marshal.GetLastPInvokeError()}");
        return (byte*)p;
    }

    public static void DetachShared(byte* p) => shmdt((nint)p);

    /// <summary>AttachShared for callers without unsafe code (tests read the map with Marshal.Copy).</summary>
    public static nint AttachSharedAddress(int shmId) => (nint)AttachShared(shmId);

    public static void DetachShared(nint p) => shmdt(p);

    /// <summary>Reads exactly 4 bytes (host order). False on EOF or error (the peer is gone).</summary>
    public static bool ReadU32(int fd, out uint value)
    {
        uint v = 0;
        byte* p = (byte*)&v;
        int got = 0;
        while (got < 4)
        {
            nint n = read(fd, p + got, 4 - got);
            if (n > 0) { got += (int)n; continue; }
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            value = 0;
            return false;
        }
        value = v;
        return true;
    }

    /// <summary>Writes exactly 4 bytes (host order). False when the peer is gone.</summary>
    public static bool WriteU32(int fd, uint value)
    {
        byte* p = (byte*)&value;
        int put = 0;
        while (put < 4)
        {
            nint n = write(fd, p + put, 4 - put);
            if (n > 0) { put += (int)n; continue; }
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            return false;
        }
        return true;
    }

    /// <summary>Marks an inherited fd close-on-exec, so children (the worker) do not hold it open.</summary>
    public static void SetCloseOnExec(int fd)
    {
        int flags = fcntl(fd, F_GETFD, 0);
        if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}
