// SilentCoyoteLogger: Coyote's TestingEngine logs every iteration to the console by default; the
// harness prints its own seed line, progress and summary instead, so the engine's log goes nowhere.
// (Coyote's own NullLogger is internal in 1.7.11.)
using Microsoft.Coyote.Logging;

namespace Harness.Explore.Coyote;

internal sealed class SilentCoyoteLogger : ILogger
{
    public void Write(string value) { }
    public void Write(string format, object arg0) { }
    public void Write(string format, object arg0, object arg1) { }
    public void Write(string format, object arg0, object arg1, object arg2) { }
    public void Write(string format, params object[] args) { }
    public void Write(LogSeverity severity, string value) { }
    public void Write(LogSeverity severity, string format, object arg0) { }
    public void Write(LogSeverity severity, string format, object arg0, object arg1) { }
    public void Write(LogSeverity severity, string format, object arg0, object arg1, object arg2) { }
    public void Write(LogSeverity severity, string format, params object[] args) { }
    public void WriteLine(string value) { }
    public void WriteLine(string format, object arg0) { }
    public void WriteLine(string format, object arg0, object arg1) { }
    public void WriteLine(string format, object arg0, object arg1, object arg2) { }
    public void WriteLine(string format, params object[] args) { }
    public void WriteLine(LogSeverity severity, string value) { }
    public void WriteLine(LogSeverity severity, string format, object arg0) { }
    public void WriteLine(LogSeverity severity, string format, object arg0, object arg1) { }
    public void WriteLine(LogSeverity severity, string format, object arg0, object arg1, object arg2) { }
    public void WriteLine(LogSeverity severity, string format, params object[] args) { }
    public void Dispose() { }
}
