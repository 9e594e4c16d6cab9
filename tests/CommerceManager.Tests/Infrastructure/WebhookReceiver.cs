using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace CommerceManager.Tests.Infrastructure;

/// <summary>A storefront's webhook endpoint on loopback: keeps every call (headers and body) and answers with the next of <see cref="Answers"/> (200 when none are left).</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();

    public WebhookReceiver()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/api/webhooks/one-time-password";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<HttpStatusCode> Answers { get; } = new();

    public ConcurrentQueue<(string Method, string? SecretKey, JsonObject Body)> Calls { get; } = new();

    /// <summary>Waits until <paramref name="count"/> calls have arrived (or fails after 15 s).</summary>
    public async Task<IReadOnlyList<(string Method, string? SecretKey, JsonObject Body)>> WaitForAsync(int count)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (Calls.Count < count)
        {
            Assert.True(DateTime.UtcNow < until, $"The webhook got {Calls.Count} of {count} calls.");
            await Task.Delay(25);
        }
        return Calls.ToList();
    }

    private async Task LoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? [];
            Calls.Enqueue((context.Request.HttpMethod, context.Request.Headers["X-Moltin-Secret-Key"], body));
            context.Response.StatusCode = (int)(Answers.TryDequeue(out var status) ? status : HttpStatusCode.OK);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
    }
}
