// CoyoteCollection: the test classes that run Microsoft Coyote's TestingEngine in-process share
// this collection, so xunit runs them one after another (other collections still run beside them).
// One clean-clone CI run saw CoyoteReplayTests' replayed trace end on a different line than the
// recorded one, in a run where the new time-to-bug test also ran a Coyote engine in parallel;
// two local runs of the whole suite and three of that class alone did not repeat it. Coyote keeps runtime state per process, so two engines at once are
// the suspected cause, and keeping them apart costs little (these classes take a few seconds).
using Xunit;

namespace Harness.Tests.Explore.Coyote;

[CollectionDefinition(Name)]
public sealed class CoyoteCollection
{
    public const string Name = "Coyote engine in-process";
}
