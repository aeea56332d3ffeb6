// LockScenarios: the tests' way to name a scenario of the default registry (qualified or bare).
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Tests.Explore;

internal static class LockScenarios
{
    public static IScenario Find(string name) => ScenarioSet.Resolve(SystemRegistry.Default, name).Scenario;
}
