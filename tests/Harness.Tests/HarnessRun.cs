// HarnessRun: runs a `harness` command in-process, as a user would type it, with a given system
// registry, and returns its exit code and everything it printed (stdout and stderr together).
using Harness.Core;

namespace Harness.Tests;

internal static class HarnessRun
{
    public static (int Code, string Output) Run(SystemRegistry systems, params string[] args)
    {
        var w = new StringWriter();
        int code = global::Harness.Program.Run(args, w, w, systems);
        return (code, w.ToString());
    }
}
