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
        services.AddHostedService<HistoryCleanup>();
        return services;
    }

    /// <summary>A feature's entity on the timeline (see <see cref="HistoryRule"/>).</summary>
    public static IServiceCollection AddHistoryRule(this IServiceCollection services, HistoryRule rule) => services.AddSingleton(rule);

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

/// <summary>Deletes history older than the retention (EP's logs-ttl, or <c>History__RetentionDays</c>) once an hour.</summary>
internal sealed class HistoryCleanup(HistoryService history, ILogger<HistoryCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
            do
            {
                try
                {
                    var deleted = await history.CleanUpAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        logger.LogInformation("History retention: deleted {Count} change records older than the retention.", deleted);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "History retention cleanup failed; it runs again in an hour.");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
