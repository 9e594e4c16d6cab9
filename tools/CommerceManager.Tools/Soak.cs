using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CommerceManager.Tools;

/// <summary>
/// <c>soak</c>: a realistic mixed load against a running server for a chosen time (reads by id, the first page, email
/// and name searches, creates, partial updates, address changes, customer sign-ins and checkouts), reporting every
/// minute: requests per second, p50 and p99 (overall and per kind), errors, and the server's memory (its resident set,
/// with <c>--pid</c>). tools/soak.sh starts a server on a database and runs it; figures in docs/benchmarks.md.
/// </summary>
public static class Soak
{
    private const string Password = "soak-password-2026!";

    private static readonly (string Kind, int Weight)[] Mix =
    [
        ("read by id", 30), ("first page", 14), ("email equals", 10), ("name contains", 2), ("create", 10),
        ("update", 10), ("address", 9), ("sign-in", 8), ("checkout", 7),
    ];

    private static readonly object Address = new
    {
        type = "address", name = "Home", first_name = "Ada", last_name = "Lovelace", line_1 = "12 St James's Square", city = "London",
        region = "England", county = "Greater London", postcode = "SW1Y 4JH", country = "GB",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        string Option(string name, string fallback)
        {
            var at = Array.IndexOf(args, "--" + name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }
        var url = Option("url", "http://127.0.0.1:5090");
        var clientId = Option("client-id", "bench-client");
        var secret = Option("client-secret", "bench-secret-0123456789");
        var minutes = double.Parse(Option("minutes", "30"), CultureInfo.InvariantCulture);
        var workers = int.Parse(Option("workers", "8"), CultureInfo.InvariantCulture);
        var pid = int.TryParse(Option("pid", ""), out var p) ? p : (int?)null;

        using var sockets = new SocketsHttpHandler { MaxConnectionsPerServer = workers * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        // Tokens are set per request (renewed every ten minutes while workers send): default headers are not thread-safe to change.
        var serverToken = new Bearer(sockets);
        var storefrontToken = new Bearer(sockets);
        using var server = new HttpClient(serverToken, disposeHandler: false) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        using var storefront = new HttpClient(storefrontToken, disposeHandler: false) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        await AuthorizeAsync(server, serverToken, $"grant_type=client_credentials&client_id={clientId}&client_secret={secret}");
        await AuthorizeAsync(storefront, storefrontToken, $"grant_type=implicit&client_id={clientId}");

        // Existing customers from across the store, and a few of our own with a password (for sign-ins and addresses).
        var ids = new List<string>();
        var emails = new List<string>();
        var total = (await server.GetFromJsonAsync<JsonObject>("/v2/customers?page[limit]=1"))!["meta"]!["results"]!["total"]!.GetValue<long>();
        foreach (var offset in new long[] { 0, total / 4, total / 2, total * 3 / 4 }.Select(o => Math.Min(o, 9_900)))
        {
            var page = await server.GetFromJsonAsync<JsonObject>($"/v2/customers?page[limit]=50&page[offset]={offset}");
            foreach (var c in page!["data"]!.AsArray())
            {
                ids.Add(c!["id"]!.GetValue<string>());
                emails.Add(c["email"]!.GetValue<string>());
            }
        }
        var own = new List<(string Id, string Email)>();
        for (var i = 0; i < Math.Max(20, workers * 2); i++)
        {
            var email = $"soak-{Guid.NewGuid():N}@soak.example";
            var created = await server.PostAsJsonAsync("/v2/customers", new { data = new { type = "customer", name = $"Soak shopper {i}", email, password = Password } });
            created.EnsureSuccessStatusCode();
            own.Add(((await created.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>(), email));
        }
        Console.WriteLine($"Soak: {workers} workers for {minutes:0.#} min against {url} ({total:N0} customers); one line per minute.");
        Console.WriteLine("minute  requests   req/s    p50 ms   p99 ms  errors  server RSS MiB  p99 per kind (ms)");

        var window = new Window();
        var everything = new Window();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            // Each worker edits its own customers: two clients editing one customer at once get 409 by design.
            var ours = own.Where((_, i) => i % workers == w).ToList();
            while (!stop.IsCancellationRequested)
            {
                var kind = Pick(random);
                var started = Stopwatch.GetTimestamp();
                HttpStatusCode? status;
                try
                {
                    status = await OneAsync(kind, random, server, storefront, ids, emails, ours[random.Next(ours.Count)]);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    status = null;
                }
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                window.Add(kind, ms, status);
                everything.Add(kind, ms, status);
            }
        })).ToList();

        var minute = 0;
        var rss = new List<double>();
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            minute++;
            var memory = pid is { } id ? ResidentMiB(id) : null;
            if (memory is { } m)
            {
                rss.Add(m);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var snapshot = window.TakeAndReset();
            Console.WriteLine(snapshot.Line(minute, seconds, memory));
            if (minute % 10 == 0)
            {
                await AuthorizeAsync(server, serverToken, $"grant_type=client_credentials&client_id={clientId}&client_secret={secret}");
                await AuthorizeAsync(storefront, storefrontToken, $"grant_type=implicit&client_id={clientId}");
            }
        }
        await Task.WhenAll(tasks);
        var all = everything.TakeAndReset();
        Console.WriteLine($"Total: {all.Count:N0} requests, {all.Errors:N0} errors{all.ErrorDetail}; p50 {all.Percentile(0.5):0.0} ms, p99 {all.Percentile(0.99):0.0} ms" +
            (rss.Count > 1 ? $"; server RSS {rss[0]:0} MiB after the first minute, {rss.Max():0} MiB at most, {rss[^1]:0} MiB at the end" : ""));
        return all.Errors == 0 ? 0 : 1;
    }

    private static string Pick(Random random)
    {
        var roll = random.Next(Mix.Sum(m => m.Weight));
        foreach (var (kind, weight) in Mix)
        {
            if ((roll -= weight) < 0)
            {
                return kind;
            }
        }
        return Mix[0].Kind;
    }

    private static async Task<HttpStatusCode> OneAsync(string kind, Random random, HttpClient server, HttpClient storefront,
        List<string> ids, List<string> emails, (string Id, string Email) mine)
    {
        string Any(List<string> list)
        {
            lock (list)
            {
                return list[random.Next(list.Count)];
            }
        }
        HttpResponseMessage response;
        switch (kind)
        {
            case "read by id":
                response = await server.GetAsync($"/v2/customers/{Any(ids)}");
                break;
            case "first page":
                response = await server.GetAsync("/v2/customers");
                break;
            case "email equals":
                response = await server.GetAsync($"/v2/customers?filter={Uri.EscapeDataString($"eq(email,{Any(emails)})")}");
                break;
            case "name contains":
                var name = Any(emails);
                response = await server.GetAsync($"/v2/customers?filter={Uri.EscapeDataString($"like(name,*{name[..Math.Min(4, name.IndexOf('@'))]}*)")}");
                break;
            case "create":
                var email = $"soak-{Guid.NewGuid():N}@soak.example";
                response = await server.PostAsJsonAsync("/v2/customers", new { data = new { type = "customer", name = "Soak created", email } });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>();
                    lock (ids)
                    {
                        ids.Add(id);
                        emails.Add(email);
                    }
                }
                break;
            case "update":
                response = await server.PutAsJsonAsync($"/v2/customers/{mine.Id}", new { data = new { type = "customer", name = $"Soak shopper {random.Next(1000)}" } });
                break;
            case "address":
                // Add, change and delete one: the customer's address book stays the same size (a customer keeps at most 100).
                response = await server.PostAsJsonAsync($"/v2/customers/{mine.Id}/addresses", new { data = Address });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var address = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>();
                    response = await server.PutAsJsonAsync($"/v2/customers/{mine.Id}/addresses/{address}",
                        new { data = new { type = "address", line_1 = $"{random.Next(1, 200)} St James's Square" } });
                    if (response.IsSuccessStatusCode)
                    {
                        response = await server.DeleteAsync($"/v2/customers/{mine.Id}/addresses/{address}");
                    }
                }
                break;
            case "sign-in":
                response = await storefront.PostAsJsonAsync("/v2/customers/tokens", new { data = new { type = "token", email = mine.Email, password = Password } });
                break;
            default:
                var cart = $"soak-{Guid.NewGuid():N}";
                response = await server.PostAsJsonAsync($"/v2/carts/{cart}/items",
                    new { data = new { type = "custom_item", name = "Ceramic mug", sku = "MUG-1", quantity = 2, price = new { amount = 1450 } } });
                if (response.IsSuccessStatusCode)
                {
                    response = await server.PostAsJsonAsync($"/v2/carts/{cart}/checkout",
                        new { data = new { customer = new { id = mine.Id }, billing_address = Address, shipping_address = Address } });
                }
                break;
        }
        using (response)
        {
            await response.Content.LoadIntoBufferAsync();
            return response.StatusCode;
        }
    }

    private static async Task AuthorizeAsync(HttpClient http, Bearer bearer, string form)
    {
        var response = await http.PostAsync("/oauth/access_token", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        response.EnsureSuccessStatusCode();
        bearer.Token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    /// <summary>Adds the current token to each request.</summary>
    private sealed class Bearer(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public volatile string? Token;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Token is { } token && request.RequestUri?.AbsolutePath != "/oauth/access_token")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The process's resident memory (Linux), MiB.</summary>
    private static double? ResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Latencies and outcomes of one period, per kind of request.</summary>
    private sealed class Window
    {
        private readonly object gate = new();
        private List<(string Kind, double Ms, HttpStatusCode? Status)> samples = [];

        public void Add(string kind, double ms, HttpStatusCode? status)
        {
            lock (gate)
            {
                samples.Add((kind, ms, status));
            }
        }

        public Snapshot TakeAndReset()
        {
            lock (gate)
            {
                var taken = samples;
                samples = [];
                return new Snapshot(taken);
            }
        }
    }

    private sealed class Snapshot(List<(string Kind, double Ms, HttpStatusCode? Status)> samples)
    {
        public int Count => samples.Count;

        private static bool Failed(HttpStatusCode? status) => status is null || (int)status >= 400;

        public int Errors => samples.Count(s => Failed(s.Status));

        public string ErrorDetail => Errors == 0 ? "" : " (" + string.Join(", ", samples.Where(s => Failed(s.Status))
            .GroupBy(s => $"{s.Kind} {(s.Status is { } st ? ((int)st).ToString(CultureInfo.InvariantCulture) : "no answer")}")
            .Select(g => $"{g.Key}: {g.Count()}")) + ")";

        public double Percentile(double q, string? kind = null)
        {
            var sorted = samples.Where(s => kind is null || s.Kind == kind).Select(s => s.Ms).Order().ToList();
            return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        }

        public string Line(int minute, double seconds, double? rss) =>
            $"{minute,6} {Count,9:N0} {Count / seconds,7:0} {Percentile(0.5),9:0.0} {Percentile(0.99),8:0.0} {Errors,7:N0} {(rss is { } r ? r.ToString("0", CultureInfo.InvariantCulture) : "-"),15}  " +
            string.Join(" · ", Mix.Select(m => $"{m.Kind} {Percentile(0.99, m.Kind):0}")) + ErrorDetail;
    }
}
