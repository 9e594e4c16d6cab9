using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CommerceManager.Common;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Webhooks;

public sealed class WebhookSettings
{
    /// <summary>Seconds to wait before each retry of a failed delivery (a delivery is tried once more per entry); 10, 60 and 300 when not set.</summary>
    public int[]? RetryDelaysSeconds { get; set; }

    internal int[] Delays => RetryDelaysSeconds ?? [10, 60, 300];
    /// <summary>A receiver that does not answer within this many seconds has failed that attempt (EP's 10 seconds).</summary>
    public int TimeoutSeconds { get; set; } = 10;
    /// <summary>Lets webhooks reach loopback and private addresses: for a storefront on the same machine or network.</summary>
    public bool AllowPrivateAddresses { get; set; }
}

/// <summary>
/// Delivers published events to the enabled webhooks observing them, in the background: a POST of EP's body
/// (<c>triggered_by</c>, <c>attempt</c>, <c>integration</c>, <c>payload</c>, <c>configuration</c>) with the secret key in
/// <c>X-Moltin-Secret-Key</c>; a 2xx answer within the timeout succeeds, anything else is tried again after each of
/// <see cref="WebhookSettings.RetryDelaysSeconds"/>. Every attempt is logged (never the body sent). Events live in memory
/// only: a restart drops deliveries still waiting (the one event today, a one-time password, lasts ten minutes anyway).
/// </summary>
public sealed class WebhookDispatcher(IDbContextFactory<AppDbContext> dbFactory, IHttpClientFactory http, IOptions<WebhookSettings> settings,
    TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService, IStoreEvents
{
    public const string HttpClientName = "webhooks";
    public const string SecretHeader = "X-Moltin-Secret-Key";

    private sealed record StoreEvent(Guid Id, string Name, JsonObject Payload);

    private readonly Channel<StoreEvent> events = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
    });
    // Deliveries run side by side (a slow receiver holds up no other), a few at a time.
    private readonly SemaphoreSlim concurrent = new(4);

    public void Publish(string eventName, JsonObject payload) => events.Writer.TryWrite(new StoreEvent(Guid.CreateVersion7(), eventName, payload));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                    var observers = (await db.Integrations.AsNoTracking().Where(i => i.Enabled).ToListAsync(stoppingToken))
                        .Where(i => i.ObservedEvents.Contains(e.Name)).ToList();
                    running.RemoveAll(t => t.IsCompleted);
                    running.AddRange(observers.Select(i => DeliverAsync(i, e, stoppingToken)));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Could not look up the webhooks observing {Event}", e.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    private async Task DeliverAsync(Integration integration, StoreEvent e, CancellationToken stoppingToken)
    {
        var delays = settings.Value.Delays;
        var job = Guid.CreateVersion7();
        for (var attempt = 1; attempt <= delays.Length + 1 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            if (attempt > 1)
            {
                // A webhook deleted, switched off or pointed elsewhere since the first attempt gets no more of this event
                // at its old address.
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                    if (await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == integration.Id, stoppingToken) is not { Enabled: true } current
                        || !current.ObservedEvents.Contains(e.Name))
                    {
                        return;
                    }
                    integration = current;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Could not read webhook {Integration} before retrying {Event}", integration.Id, e.Name);
                    return;
                }
            }
            bool succeeded;
            await concurrent.WaitAsync(stoppingToken);
            try
            {
                succeeded = await AttemptAsync(integration, e, job, attempt, stoppingToken);
            }
            finally
            {
                concurrent.Release();
            }
            if (succeeded || attempt > delays.Length)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, delays[attempt - 1])), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Clip(string text) => text.Length <= IntegrationLimits.Detail ? text : text[..(IntegrationLimits.Detail - 1)] + "…";

    private async Task<bool> AttemptAsync(Integration integration, StoreEvent e, Guid job, int attempt, CancellationToken stoppingToken)
    {
        var body = new JsonObject
        {
            ["id"] = e.Id.ToString(),
            ["triggered_by"] = e.Name,
            ["attempt"] = attempt,
            ["integration"] = new JsonObject
            {
                ["id"] = integration.Id.ToString(), ["integration_type"] = "webhook", ["name"] = integration.Name, ["description"] = integration.Description ?? "",
            },
            ["payload"] = e.Payload.DeepClone(),
            ["configuration"] = new JsonObject { ["url"] = integration.Url, ["secret_key"] = integration.SecretKey ?? "" },
        };
        var log = new IntegrationLog { Id = Guid.CreateVersion7(), IntegrationId = integration.Id, JobId = job, TriggeredBy = e.Name, Attempt = attempt };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, integration.Url)
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.TryAddWithoutValidation(SecretHeader, integration.SecretKey ?? "");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, settings.Value.TimeoutSeconds)));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            log.StatusCode = (int)response.StatusCode;
            log.Succeeded = response.IsSuccessStatusCode;
            if (!log.Succeeded)
            {
                log.ErrorDetail = Clip($"The receiver answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            // The start of the answer only: what a person reading the log needs, whatever the receiver sends.
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
            var buffer = new char[IntegrationLimits.Detail];
            var read = await reader.ReadBlockAsync(buffer.AsMemory(), timeout.Token);
            log.ResponseBody = new string(buffer, 0, read);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            log.ErrorDetail = ex switch
            {
                PrivateAddressException => "The address is private or local, which the store does not call (Webhooks__AllowPrivateAddresses allows it).",
                OperationCanceledException => $"The receiver did not answer within {settings.Value.TimeoutSeconds} seconds.",
                HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "The receiver's host name could not be resolved.",
                HttpRequestException h when h.InnerException is PrivateAddressException => "The address is private or local, which the store does not call (Webhooks__AllowPrivateAddresses allows it).",
                HttpRequestException => "Could not connect to the receiver.",
                _ => "The delivery failed: " + ex.GetType().Name + ".",
            };
        }
        log.CreatedAt = clock.UtcNow();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.IntegrationLogs.Add(log);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The integration was deleted meanwhile (nothing to log against), or the database is out of reach: the
            // delivery goes on either way.
            logger.LogWarning(ex, "Could not log attempt {Attempt} of {Event} to webhook {Integration}", attempt, e.Name, integration.Id);
        }
        if (!log.Succeeded)
        {
            logger.LogWarning("Webhook {Integration} attempt {Attempt} for {Event} failed: {Detail}", integration.Id, attempt, e.Name, log.ErrorDetail);
        }
        return log.Succeeded;
    }
}
