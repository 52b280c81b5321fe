namespace SeedGrains.Silo.Api;

/// <summary>
/// Configuration section <c>Admin</c>: the operator credential for <c>/admin/v1</c> and <c>/dashboard</c>, separate from
/// tenant keys. <c>Admin:OperatorKeys</c> is an array (<c>Admin:OperatorKeys:0</c>, …) or one comma-separated value;
/// <c>SEEDGRAINS_OPERATOR_KEY</c> adds one more. Several keys let an operator rotate without downtime. A value written
/// as <c>sha256:&lt;hex&gt;</c> is the key's SHA-256, so configuration files need not hold the key itself.
/// </summary>
public sealed class OperatorOptions
{
    public const string Section = "Admin";

    /// <summary>The environment/configuration key that adds one operator key (<c>SEEDGRAINS_OPERATOR_KEY</c>).</summary>
    public const string SingleKeySetting = "OPERATOR_KEY";

    public IReadOnlyList<string> OperatorKeys { get; set; } = [];

    /// <summary>Every configured key: the array or comma-separated form, the single-key setting and the older <c>Dashboard:OperatorKey</c>.</summary>
    public static OperatorOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{Section}:OperatorKeys");
        var values = new List<string?> { section.Value, configuration[SingleKeySetting], configuration[$"{DashboardAccessOptions.Section}:OperatorKey"] };
        values.AddRange(section.GetChildren().Select(c => c.Value));
        return new OperatorOptions
        {
            OperatorKeys = values.Where(v => !string.IsNullOrWhiteSpace(v))
                .SelectMany(v => v!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.Ordinal).ToList(),
        };
    }
}
