using CommerceManager.Common;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CommerceManager.History;

public static class HistorySetup
{
    public static IServiceCollection AddHistory(this IServiceCollection services)
    {
        services.AddOptions<HistoryOptions>().BindConfiguration("History");
        services.AddSingleton<HistoryService>();
        services.AddSingleton<ISaveChangesInterceptor, ChangeRecorder>();
        services.AddScoped<CircuitHandler, ConsoleChangeActor>();
        services.AddHousekeeping("change records older than the retention deleted", (sp, ct) => sp.GetRequiredService<HistoryService>().CleanUpAsync(ct));
        return services;
    }

    /// <summary>A feature's entity on the timeline (see <see cref="HistoryRule"/>).</summary>
    public static IServiceCollection AddHistoryRule(this IServiceCollection services, HistoryRule rule) => services.AddSingleton(rule);

    /// <summary>
    /// A store setting kept in <see cref="Data.AppSetting"/> whose changes go on the Activity page, under a label staff
    /// read ("Manual payment gateway for storefronts"). Settings nobody names (start-up marks, probes) are not recorded.
    /// </summary>
    public static IServiceCollection AddRecordedSetting(this IServiceCollection services, string key, string label)
    {
        services.AddSingleton(new RecordedSetting(key, label));
        if (!services.Any(d => d.ServiceType == typeof(RecordedSettings)))
        {
            services.AddSingleton<RecordedSettings>();
            services.AddSingleton(sp => sp.GetRequiredService<RecordedSettings>().Rule);
        }
        return services;
    }

    /// <summary>Changes made by an HTTP request are the caller's: the API's client or customer (read when the change is saved).</summary>
    public static IApplicationBuilder UseChangeActor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var channel = context.Request.Path.StartsWithSegments("/v2") || context.Request.Path.StartsWithSegments("/oauth")
            ? ChangeActor.Api : ChangeActor.Console;
        // After authorization: the request's user is final here (the API's scheme included), and read once.
        var user = context.User;
        using (ChangeContext.Use(() => ChangeActor.From(user, channel)))
        {
            await next(context);
        }
    });
}

/// <summary>Changes made in the console are the signed-in staff member's: set for every event of the circuit.</summary>
internal sealed class ConsoleChangeActor(AuthenticationStateProvider authentication) : CircuitHandler
{
    private ChangeActor? actor;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            actor ??= ChangeActor.From((await authentication.GetAuthenticationStateAsync()).User, ChangeActor.Console);
            using (ChangeContext.Use(actor))
            {
                await next(context);
            }
        };
}

/// <summary>A setting whose changes are recorded, and its label.</summary>
public sealed record RecordedSetting(string Key, string Label);

/// <summary>The one history rule of <see cref="Data.AppSetting"/>: the named settings only, by label, their value before and after.</summary>
internal sealed class RecordedSettings(IEnumerable<RecordedSetting> settings)
{
    private readonly Dictionary<string, string> labels = settings.ToDictionary(s => s.Key, s => s.Label);

    public HistoryRule Rule => field ??= HistoryRule.For<Data.AppSetting>("setting", ChangeKinds.Settings, s => IdOf(s.Key), _ => null,
            s => labels.GetValueOrDefault(s.Key) ?? s.Key)
        .Field(nameof(Data.AppSetting.Value), "value")
        .When<Data.AppSetting>(s => labels.ContainsKey(s.Key));

    /// <summary>A setting's key as a stable id (its history is one resource).</summary>
    private static Guid IdOf(string key) => new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
}
