// IStateShow: a system part that replays one of its inputs up to a step and prints the state the
// system's own tools would show there (dsa_dump for DSA). `harness show SYSTEM FILE [--step N]`
// finds it by the system's name, so the command names no system.
namespace Harness.Core;

public interface IStateShow : ISystemPart
{
    /// <summary>Replays <paramref name="path"/> up to <paramref name="step"/> ops (all when larger
    /// than the input) and prints the state; returns the exit code.</summary>
    int Show(string path, long step, TextWriter stdout);
}
