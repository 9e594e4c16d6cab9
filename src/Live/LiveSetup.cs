using CommerceManager.Data;

namespace CommerceManager.Live;

public static class LiveSetup
{
    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<LiveBus>();
        services.AddSingleton<PresenceService>();
        services.AddScoped<ConsoleTab>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, ConsoleTabMarker>();
        if (DatabaseSetup.ProviderOf(config) == DatabaseProvider.Postgres && config.GetConnectionString("Default") is { Length: > 0 } connectionString)
        {
            services.AddHostedService(sp => new PostgresLiveTransport(sp.GetRequiredService<LiveBus>(), connectionString,
                sp.GetRequiredService<ILogger<PostgresLiveTransport>>()));
        }
        return services;
    }
}
