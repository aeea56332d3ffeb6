// LockScenarios: the tests' way to name a scenario of the default registry (qualified or bare).
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;

namespace Harness.Tests.Explore;

internal static class LockScenarios
{
    public static IScenario Find(string name) => ScenarioSet.Resolve(SystemRegistry.Default, name).Scenario;
}
