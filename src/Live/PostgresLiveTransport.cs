using Npgsql;

namespace CommerceManager.Live;

/// <summary>
/// Carries live notices between instances on PostgreSQL: each instance LISTENs on one channel over a connection of its
/// own and sends with <c>pg_notify</c>. Chosen over a SignalR backplane (Redis) because the instances already share the
/// database and nothing else; a notice is small (well under NOTIFY's 8,000 bytes) and losing one during a reconnect
/// costs only a refresh, never data.
/// </summary>
internal sealed class PostgresLiveTransport(LiveBus bus, string connectionString, ILogger<PostgresLiveTransport> log) : BackgroundService
{
    public const string Channel = "commerce_live";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bus.Remote = SendAsync;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (LiveBus.Deserialize(e.Payload) is { } envelope && envelope.Origin != bus.Instance)
                    {
                        bus.Deliver(envelope);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Listening for live notices from other instances failed; trying again in 5 s.");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task SendAsync(LiveEnvelope envelope)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", LiveBus.Serialize(envelope));
        await notify.ExecuteNonQueryAsync();
    }
}
