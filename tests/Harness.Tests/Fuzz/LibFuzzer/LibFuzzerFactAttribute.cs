// LibFuzzerFact: a test that needs clang-14 and libFuzzer (Debian's libclang-rt-14-dev). Skipped with
// the reason when they are missing, except under CI (CI=true), where .ci/run installs them and a
// missing toolchain must fail the test instead of hiding it.
using Harness.Fuzz.LibFuzzer;
using Xunit;

namespace Harness.Tests.Fuzz.LibFuzzer;

public sealed class LibFuzzerFactAttribute : FactAttribute
{
    public LibFuzzerFactAttribute()
    {
        if (!LibFuzzerDriver.ToolchainPresent() && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = LibFuzzerDriver.InstallHint + "; with CI=true this test fails instead of skipping";
    }
}
