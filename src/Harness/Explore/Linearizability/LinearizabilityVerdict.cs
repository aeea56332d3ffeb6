// LinearizabilityVerdict: the three answers of the checker. Unknown means the search budget (a
// count of explored states, never a clock) ran out before the search decided; it is an answer to
// report, not a pass.
namespace Harness.Explore.Linearizability;

public enum LinearizabilityVerdict : byte
{
    Linearizable,
    NotLinearizable,
    Unknown,
}
