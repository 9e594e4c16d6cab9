namespace CommerceManager.Common;

/// <summary>One chore the store runs once an hour (history past its retention, undo data past its period): how many rows it cleared.</summary>
public sealed record Chore(string What, Func<CancellationToken, Task<int>> RunAsync);

public static class HousekeepingSetup
{
    /// <summary>
    /// Runs <paramref name="run"/> a minute after start and then hourly; <paramref name="what"/> names what it clears in
    /// the log ("change records older than the retention").
    /// </summary>
    public static IServiceCollection AddHousekeeping(this IServiceCollection services, string what, Func<IServiceProvider, CancellationToken, Task<int>> run)
    {
        services.AddSingleton(sp => new Chore(what, ct => run(sp, ct)));
        if (!services.Any(d => d.ImplementationType == typeof(Housekeeper)))
        {
            services.AddHostedService<Housekeeper>();
        }
        return services;
    }
}

/// <summary>Runs the registered chores once an hour; one that fails is logged and tried again at the next hour.</summary>
internal sealed class Housekeeper(IEnumerable<Chore> chores, ILogger<Housekeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
            do
            {
                foreach (var chore in chores)
                {
                    try
                    {
                        var cleared = await chore.RunAsync(stoppingToken);
                        if (cleared > 0)
                        {
                            logger.LogInformation("Housekeeping: {Count} {What}.", cleared, chore.What);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogWarning(ex, "Housekeeping ({What}) failed; it runs again in an hour.", chore.What);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
