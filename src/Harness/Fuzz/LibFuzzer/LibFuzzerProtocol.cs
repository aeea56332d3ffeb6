// LibFuzzerProtocol: the facts of the bridge between tools/libfuzzer/driver.c (the libFuzzer
// process) and SharpFuzz 2.3.0's Fuzzer.LibFuzzer.Run (the worker), as read in SharpFuzz's source:
// three environment variables name a SysV shared memory segment (the 64 KiB edge map,
// SharpFuzzTrace.MapSize, then the input) and the two pipe fds; a 32-bit length goes down the
// control pipe per input and a 32-bit status comes back (0 ok, SharpFuzz's Fault.Crash = 2 when
// the callback threw). driver.c states the same sizes again in C.
namespace Harness.Fuzz.LibFuzzer;

public static class LibFuzzerProtocol
{
    public const string ShmIdVariable = "__LIBFUZZER_SHM_ID";
    public const string ControlPipeVariable = "__LIBFUZZER_CONTROL_PIPE_ID";
    public const string StatusPipeVariable = "__LIBFUZZER_STATUS_PIPE_ID";

    /// <summary>Room for the input after the 64 KiB map (driver.c's INPUT_BYTES): the largest -max_len that works.</summary>
    public const int InputBytes = 1 << 20;

    /// <summary>True when this process was started by the driver (all three variables set), so
    /// Fuzzer.LibFuzzer.Run will speak the protocol instead of falling back to one file.</summary>
    public static bool Present =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ShmIdVariable))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ControlPipeVariable))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StatusPipeVariable));
}
