// LibFuzzerProtocol: the facts of the bridge between tools/libfuzzer/driver.c (the libFuzzer
// process) and SharpFuzz 2.3.0's Fuzzer.LibFuzzer.Run (the worker), as read in SharpFuzz's source:
// three environment variables name a SysV shared memory segment (64 KiB edge map, then the input)
// and the two pipe fds; a 32-bit length goes down the control pipe per input and a 32-bit status
// comes back (0 ok, SharpFuzz's Fault.Crash = 2 when the callback threw). The driver also has
// to agree on the sizes below; driver.c states them again in C.
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.LibFuzzer;

public static class LibFuzzerProtocol
{
    public const string ShmIdVariable = "__LIBFUZZER_SHM_ID";
    public const string ControlPipeVariable = "__LIBFUZZER_CONTROL_PIPE_ID";
    public const string StatusPipeVariable = "__LIBFUZZER_STATUS_PIPE_ID";

    /// <summary>The edge map at the start of the segment: SharpFuzz's map size, the same as ours.</summary>
    public const int EdgeMapBytes = SharpFuzzTrace.MapSize;

    /// <summary>Room for the input after the map (driver.c's INPUT_BYTES): the largest -max_len that works.</summary>
    public const int InputBytes = 1 << 20;

    /// <summary>True when this process was started by the driver (all three variables set), so
    /// Fuzzer.LibFuzzer.Run will speak the protocol instead of falling back to one file.</summary>
    public static bool Present =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ShmIdVariable))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ControlPipeVariable))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StatusPipeVariable));
}
