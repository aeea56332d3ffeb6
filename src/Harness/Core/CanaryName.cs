// CanaryName: a planted-bug name given on the command line or in an artifact, parsed into the
// system's canary enum. Exact, case-sensitive names only (an integer or an undefined value is not a
// canary), and an unknown name is an UnknownNameException listing the known ones.
namespace Harness.Core;

public static class CanaryName
{
    public static bool TryParse<TCanary>(string name, out TCanary canary) where TCanary : struct, Enum =>
        Enum.TryParse(name, ignoreCase: false, out canary) && Enum.IsDefined(canary);

    public static TCanary Parse<TCanary>(string name) where TCanary : struct, Enum =>
        TryParse(name, out TCanary c) ? c : throw new UnknownNameException("canary", name, Enum.GetNames<TCanary>());
}
