// SvgPlot: a line plot as inline SVG (no script, no external asset), for the HTML report: one or
// more series of (x, y) points over shared axes, with the axes' ranges labelled and a legend.
// Deterministic text for the same input (invariant culture, fixed precision).
using System.Globalization;
using System.Net;
using System.Text;

namespace Harness.Report;

public static class SvgPlot
{
    public const int Width = 560;
    public const int Height = 220;
    private const int Left = 64, Right = 12, Top = 26, Bottom = 34;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

    public static string Line(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var pts = series.SelectMany(s => s.Points).ToList();
        double xMax = pts.Count == 0 ? 1 : Math.Max(pts.Max(p => p.X), 1e-9);
        double yMax = pts.Count == 0 ? 1 : Math.Max(pts.Max(p => p.Y), 1e-9);
        double w = Width - Left - Right, h = Height - Top - Bottom;
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(title)}\">"));
        sb.Append(Inv($"<text x=\"{Left}\" y=\"16\" class=\"title\">{Esc(title)}</text>"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{w:0}\" height=\"{h:0}\" class=\"frame\"/>"));
        sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Top + 10}\" class=\"tick\" text-anchor=\"end\">{Num(yMax)}</text>"));
        sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Top + h}\" class=\"tick\" text-anchor=\"end\">0</text>"));
        sb.Append(Inv($"<text x=\"{Left}\" y=\"{Height - 18}\" class=\"tick\">0</text>"));
        sb.Append(Inv($"<text x=\"{Left + w}\" y=\"{Height - 18}\" class=\"tick\" text-anchor=\"end\">{Num(xMax)}</text>"));
        sb.Append(Inv($"<text x=\"{Left + w / 2:0}\" y=\"{Height - 4}\" class=\"axis\" text-anchor=\"middle\">{Esc(xLabel)}</text>"));
        sb.Append(Inv($"<text x=\"12\" y=\"{Top + h / 2:0}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Top + h / 2:0})\">{Esc(yLabel)}</text>"));
        for (int i = 0; i < series.Count; i++)
        {
            string colour = Colours[i % Colours.Length];
            var points = string.Join(" ", series[i].Points.Select(p => Inv($"{Left + p.X / xMax * w:0.0},{Top + h - p.Y / yMax * h:0.0}")));
            sb.Append(Inv($"<polyline class=\"series\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{points}\"><title>{Esc(series[i].Name)}</title></polyline>"));
            if (series.Count > 1)
                sb.Append(Inv($"<text x=\"{Left + w - 4}\" y=\"{Top + 14 + 13 * i}\" class=\"legend\" text-anchor=\"end\" fill=\"{colour}\">{Esc(series[i].Name)}</text>"));
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Num(double v) => v >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal static string Esc(string s) => WebUtility.HtmlEncode(s);
}
