using FluentValidation;

namespace CommerceManager.CustomFields;

public static class CustomFieldsSetup
{
    public static IServiceCollection AddCustomFields(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<IValidator<FieldInput>, FieldInputValidator>();
        services.AddSingleton<IValidator<FlowInput>, FlowInputValidator>();
        services.AddSingleton<CustomFieldValues>();
        services.AddSingleton<FieldDesigner>();
        services.AddSingleton<FieldDefaults>();
        return services;
    }

    /// <summary>
    /// Records of <paramref name="flowSlug"/> keep their custom values in <paramref name="table"/>'s <c>CustomData</c>:
    /// the feature that owns the table says so, so custom fields know no feature's tables.
    /// </summary>
    public static IServiceCollection AddCustomValueHost(this IServiceCollection services, string flowSlug, string table) =>
        services.AddSingleton(new CustomValueHost(flowSlug, table));
}

/// <summary>A flow whose records keep custom values, and the table they live in.</summary>
public sealed record CustomValueHost(string FlowSlug, string Table);

internal static class CustomValueHosts
{
    public static string TableOf(this IEnumerable<CustomValueHost> hosts, string flowSlug) =>
        hosts.FirstOrDefault(h => h.FlowSlug == flowSlug)?.Table
        ?? throw new InvalidOperationException($"No table keeps the custom values of the {flowSlug} flow.");
}
