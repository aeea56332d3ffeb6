// IFuzzTarget: bytes in, a classified outcome out. The in-process engine, the AFL++ worker, the
// regression replays and `harness show` all drive targets through this interface only, so a new
// target (buffer manager, DSA, schedules) plugs in by implementing it.
//
// Contract: Execute is total and deterministic. Any byte string is a valid input; the same bytes
// give the same outcome; the target catches everything the system under test throws and
// classifies it (a crash outcome only for a host exception that the port should never raise).
using Harness.Core;

namespace Harness.Fuzz;

public interface IFuzzTarget
{
    /// <summary>Registered name, e.g. "mmgr".</summary>
    string Name { get; }

    /// <summary>Decodes and runs one input; never throws.</summary>
    Outcome Execute(ReadOnlySpan<byte> input);

    /// <summary>Readable form of an input (one operation per line), for `harness show`.</summary>
    IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input);
}
