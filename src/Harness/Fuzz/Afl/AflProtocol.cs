// AflProtocol: constants of the AFL++ 4.04c forkserver protocol as a non-forking, persistent
// .NET target speaks it (fuzzing.md section 2; include/config.h and src/afl-forkserver.c of 4.04c).
//
// Every message is one 32-bit word in host order. fd 198: fuzzer -> target (per exec: was_killed).
// fd 199: target -> fuzzer (once: hello; per exec: a "child pid" then a waitpid()-style status).
namespace Harness.Fuzz.Afl;

public static class AflProtocol
{
    public const int ControlFd = 198;          // FORKSRV_FD
    public const int StatusFd = ControlFd + 1;
    public const string ShmIdVariable = "__AFL_SHM_ID";

    /// <summary>FS_OPT_ENABLED: the hello carries option bits.</summary>
    public const uint OptEnabled = 0x80000001;
    /// <summary>FS_OPT_MAPSIZE: bits 1..23 carry (map size - 1); afl aborts if its own map is smaller.</summary>
    public const uint OptMapSize = 0x40000000;

    /// <summary>The hello for a 64 KiB map: 0xC001FFFF. No SHDMEM/AUTODICT bits, so afl sends no reply.</summary>
    public static uint Hello(int mapSize) => OptEnabled | OptMapSize | ((uint)(mapSize - 1) << 1);

    /// <summary>waitpid() status of a process killed by signal <paramref name="signal"/>: WIFSIGNALED, WTERMSIG = signal.</summary>
    public static uint SignalledStatus(int signal) => (uint)(signal & 0x7F);

    /// <summary>waitpid() status of a normal exit with code 0.</summary>
    public const uint OkStatus = 0;
}
