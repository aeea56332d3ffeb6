// Entry point of the benchmark suites: `dotnet run -c Release --project bench/Allocator.Bench -- --filter '*'`.
using BenchmarkDotNet.Running;

namespace Allocator.Bench;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
