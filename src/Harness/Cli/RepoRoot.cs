// RepoRoot: finds the repository root (the folder holding Harness.sln) upward from the current
// folder, then from the tool's own location, so commands work from any subfolder or build output.
namespace Harness.Cli;

public static class RepoRoot
{
    public static string Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Harness.sln"))) return d.FullName;
        }
        throw new EnvironmentException("cannot find the repository root (no Harness.sln above the current folder); pass --repo DIR");
    }
}
