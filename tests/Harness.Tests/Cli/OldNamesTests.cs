// Names from before the harness had several systems keep working: the README's old commands
// (`harness check allocator`, `harness fuzz allocator`, bare scenario names) run the renamed
// system, target and qualified scenario; unknown names are input errors (exit 2) that list the
// known ones.
using Xunit;

namespace Harness.Tests.Cli;

public sealed class OldNamesTests
{
    private static (int Code, string Output) Harness(params string[] args)
    {
        var w = new StringWriter();
        int code = global::Harness.Program.Run(args, w, w);
        return (code, w.ToString());
    }

    [Fact]
    public void Check_allocator_runs_the_mmgr_properties()
    {
        (int code, string output) = Harness("check", "allocator", "--cases", "20", "--property", "model", "--checking", "off");
        Assert.True(code == 0, output);
        Assert.StartsWith("check mmgr: seed=1", output);
    }

    [Fact]
    public void A_bare_scenario_name_resolves_to_its_qualified_name()
    {
        (int code, string output) = Harness("explore", "lwlock-shared-exclusive", "--iterations", "20", "--seed", "7");
        Assert.True(code == 0, output);
        Assert.StartsWith("explore: scenario=locks/lwlock-shared-exclusive strategy=pct seed=7", output);
    }

    [Fact]
    public void Unknown_names_are_input_errors_that_list_the_known_ones()
    {
        (int code, string output) = Harness("explore", "no-such-scenario");
        Assert.Equal(2, code);
        Assert.Contains("unknown scenario 'no-such-scenario' (known: buffers/same-tag-miss,", output);
        Assert.Contains(", locks/spinlock-mutex,", output);
        (code, output) = Harness("check", "nonesuch");
        Assert.Equal(2, code);
        Assert.Contains("unknown system with properties 'nonesuch' (known: buffers, dsa, locks, mmgr)", output);
        (code, output) = Harness("fuzz", "nonesuch", "--no-instrument");
        Assert.Equal(2, code);
        Assert.Contains("unknown fuzz target 'nonesuch' (known: buffers, dsa, dsa-area, mmgr)", output);
    }
}
