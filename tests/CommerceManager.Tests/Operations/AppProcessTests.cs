using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;

namespace CommerceManager.Tests.Operations;

/// <summary>
/// The app as an operator runs it: its own process (<c>dotnet CommerceManager.dll</c>) on a SQLite file, told to stop
/// with SIGTERM, or started on something broken.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class AppProcessTests : IDisposable
{
    private const string ClientId = "process-client";
    private const string ClientSecret = "process-client-secret-0123456789";

    private readonly string folder = Directory.CreateTempSubdirectory("cm-process-").FullName;
    private string? mounted;

    private string Database => Path.Combine(folder, "app.db");

    [Fact]
    public async Task SIGTERM_during_a_write_loop_loses_no_acknowledged_write_and_leaves_no_write_ahead_log()
    {
        using var app = AppProcess.Start(folder);
        await app.WaitReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http));
        var acknowledged = new ConcurrentBag<string>();
        var refusedAfterStop = 0;

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                try
                {
                    var response = await http.PostAsJsonAsync("/v2/customers", new { data = new { type = "customer", name = $"Writer {w} #{n}", email = $"w{w}-{n}@sigterm.example" } });
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref refusedAfterStop);
                        return;
                    }
                    acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>());
                }
                catch (HttpRequestException)
                {
                    return; // the server has stopped listening
                }
            }
        })).ToList();
        await Task.Delay(2000);
        var beforeStop = acknowledged.Count;
        app.Signal("TERM");
        await Task.WhenAll(writers);
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(beforeStop > 10, $"only {beforeStop} writes before the stop");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {app.Output}");
        Assert.True(!File.Exists(Database + "-wal") || new FileInfo(Database + "-wal").Length == 0, "the write-ahead log still holds pages");
        var stored = await CustomerIdsAsync();
        var missing = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged creates are missing");
    }

    [Fact]
    public async Task Logs_are_json_lines_with_one_line_per_request_and_metrics_and_traces_go_to_the_OTLP_endpoint()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var receiverBuilder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/v1/{signal}", async (Microsoft.AspNetCore.Http.HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            return Microsoft.AspNetCore.Http.Results.Ok();
        });
        await receiver.StartAsync();
        var otlp = receiver.Urls.Single();

        using var app = AppProcess.Start(folder, new()
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Default"] = "Information",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        await app.WaitReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };
        var refused = await http.GetAsync("/v2/customers");
        var storefront = await (await http.PostAsync("/oauth/access_token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "implicit", ["client_id"] = ClientId,
        }))).Content.ReadFromJsonAsync<JsonObject>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", storefront!["access_token"]!.GetValue<string>());
        var signIn = await http.PostAsync("/v2/customers/tokens", JsonContent.Create(new { data = new { type = "token", email = "nobody@otel.example", password = "wrong password 1" } }));
        await WaitUntilAsync(() => Received(received, "/v1/traces", "/v2/customers") && Received(received, "/v1/metrics", "commerce_manager.customer_sign_in.failures"));
        app.Signal("TERM");
        await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        var lines = app.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var json = lines.Select(l => { try { return JsonNode.Parse(l) as JsonObject; } catch (System.Text.Json.JsonException) { return null; } }).ToList();
        Assert.All(json, j => Assert.NotNull(j)); // every line of output is one JSON object
        var request = Assert.Single(json, j => j!["Category"]?.GetValue<string>() == Observability.RequestCategory
            && j["State"]?["Path"]?.GetValue<string>() == "/v2/customers" && j["State"]?["Method"]?.GetValue<string>() == "GET")!;
        Assert.Equal(401, request["State"]!["StatusCode"]!.GetValue<int>());
        Assert.Matches("^[0-9a-f]{32}$", request["State"]!["TraceId"]!.GetValue<string>());
        Assert.True(Received(received, "/v1/traces", "/v2/customers"), "no trace of the request arrived");
        Assert.True(Received(received, "/v1/metrics", "http.server.request.duration"), "ASP.NET Core's request metrics did not arrive");
        Assert.True(Received(received, "/v1/metrics", "commerce_manager.customer_sign_in.failures"), "the app's own metrics did not arrive");
    }

    private static bool Received(ConcurrentQueue<(string Path, byte[] Body)> received, string path, string text) =>
        received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(200);
        }
    }

    [SkippableFact]
    public async Task A_full_disk_fails_writes_with_a_retryable_503_keeps_reads_working_says_so_in_health_and_recovers_by_itself()
    {
        // A real full disk: the database on a small tmpfs of its own, which only root may mount.
        var disk = Path.Combine(folder, "disk");
        Directory.CreateDirectory(disk);
        Skip.IfNot(Mount($"-t tmpfs -o size=6m tmpfs {disk}"), "Needs root and permission to mount a small tmpfs (as ./test.sh has in CI).");
        mounted = disk;
        using var app = AppProcess.Start(folder, new() { ["ConnectionStrings__Default"] = $"Data Source={Path.Combine(disk, "app.db")}" });
        await app.WaitReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http));
        var bulk = new string('x', 2000);

        HttpResponseMessage? refused = null;
        var created = new List<string>();
        for (var n = 0; n < 20_000 && refused is null; n++)
        {
            var response = await http.PostAsJsonAsync("/v2/customers", new { data = new { type = "customer", name = $"Filler {n} {bulk[..200]}", email = $"filler-{n}@disk.example", external_ref = bulk[..255] } });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                created.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["id"]!.GetValue<string>());
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        var error = await refused.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {error}");
        Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("can't save changes right now", error!["errors"]![0]!["detail"]!.GetValue<string>());
        // Reads go on: the list and a customer saved before.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v2/customers?page[limit]=5")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v2/customers/{created[0]}")).StatusCode);
        var health = await http.GetFromJsonAsync<JsonObject>("/health/ready");
        Assert.Equal("Degraded", health!["checks"]!["writes"]!["status"]!.GetValue<string>());

        // Space returns: writes work again without a restart.
        Assert.True(Mount($"-o remount,size=64m {disk}"));
        await Task.Delay(5500); // the health probe's interval
        var again = await http.PostAsJsonAsync("/v2/customers", new { data = new { type = "customer", name = "After the disk grew", email = "after@disk.example" } });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("Healthy", (await http.GetFromJsonAsync<JsonObject>("/health/ready"))!["status"]!.GetValue<string>());
        app.Signal("TERM");
        Assert.Equal(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var stored = await CustomerIdsAsync(Path.Combine(disk, "app.db"));
        Assert.All(created, id => Assert.Contains(id, stored));
    }

    [Fact]
    public async Task A_database_from_a_newer_version_or_without_its_keys_stops_the_start_with_one_line_saying_what_to_do()
    {
        using (var first = AppProcess.Start(folder))
        {
            await first.WaitReadyAsync();
            first.Signal("TERM");
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        // The keys folder lost (a new server without it).
        var keys = Path.Combine(folder, "keys");
        Directory.Move(keys, keys + ".away");
        var withoutKeys = await RunToExitAsync();
        Directory.Delete(keys, recursive: true);
        Directory.Move(keys + ".away", keys);

        // A newer version has migrated the database since.
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('29990101000000_FromTheFuture', '99.0')";
            await command.ExecuteNonQueryAsync();
        }
        var newer = await RunToExitAsync();

        AssertOneLineFailure(withoutKeys, "can't be read with the Data Protection keys", "rotate-signing-key --replace-unreadable");
        AssertOneLineFailure(newer, "was upgraded by a newer version of Commerce Manager (schema 29990101000000_FromTheFuture)", "tools restore");
    }

    [Fact]
    public async Task A_damaged_database_file_stops_the_start_with_one_line_saying_what_to_do()
    {
        await File.WriteAllBytesAsync(Database, Encoding.UTF8.GetBytes(new string('x', 8192)));

        var result = await RunToExitAsync();

        AssertOneLineFailure(result, "is not a SQLite database or is damaged", "Restore the latest backup");
        Assert.Equal(new string('x', 8192), await File.ReadAllTextAsync(Database)); // left as it was, for whoever investigates
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_stops_the_start_with_one_line_saying_what_to_do()
    {
        var file = Path.Combine(folder, "not-a-folder");
        await File.WriteAllTextAsync(file, "");

        var result = await RunToExitAsync(new() { ["ConnectionStrings__Default"] = $"Data Source={Path.Combine(file, "data", "app.db")}" });

        AssertOneLineFailure(result, $"The data folder {Path.Combine(file, "data")} can't be created or written", "write access");
    }

    [Fact]
    public async Task A_port_in_use_stops_the_start_with_one_line_saying_what_to_do()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RunToExitAsync(port: port);

        AssertOneLineFailure(result, $"The address http://127.0.0.1:{port} is already in use by another program", "--urls");
    }

    private static void AssertOneLineFailure((int ExitCode, string Output) result, string what, string fix)
    {
        Assert.True(result.ExitCode == StartupFailure.ExitCode, $"exit code {result.ExitCode}: {result.Output}");
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("Commerce Manager could not start: ", StringComparison.Ordinal));
        Assert.Contains(what, line);
        Assert.Contains(fix, line);
    }

    private async Task<(int ExitCode, string Output)> RunToExitAsync(Dictionary<string, string>? settings = null, int? port = null)
    {
        using var app = AppProcess.Start(folder, settings, port);
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, app.Output);
    }

    private static bool Mount(string arguments)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return false;
        }
        using var mount = Process.Start(new ProcessStartInfo("mount", arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        mount.WaitForExit();
        return mount.ExitCode == 0;
    }

    private async Task<HashSet<string>> CustomerIdsAsync(string? database = null)
    {
        await using var connection = new SqliteConnection($"Data Source={database ?? Database};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id FROM Customers";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    private static async Task<string> TokenAsync(HttpClient http)
    {
        var response = await http.PostAsync("/oauth/access_token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = ClientId, ["client_secret"] = ClientSecret,
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    public void Dispose()
    {
        if (mounted is not null)
        {
            using var umount = Process.Start("umount", ["-l", mounted]);
            umount.WaitForExit();
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The app in its own process, as <c>dotnet CommerceManager.dll</c> from the build output.</summary>
    private sealed class AppProcess : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        private AppProcess(Process process, string url)
        {
            this.process = process;
            Url = url;
        }

        public string Url { get; }

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public static AppProcess Start(string folder, Dictionary<string, string>? settings = null, int? port = null)
        {
            port ??= FreePort();
            var url = $"http://127.0.0.1:{port}";
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CommerceManager.dll"));
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(url);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__Default"] = $"Data Source={Path.Combine(folder, "app.db")}";
            start.Environment["DataProtection__KeysPath"] = Path.Combine(folder, "keys");
            start.Environment["Bootstrap__AdminEmail"] = "admin@process.example";
            start.Environment["Bootstrap__AdminPassword"] = "process admin password 1";
            start.Environment["Bootstrap__ApiClientId"] = ClientId;
            start.Environment["Bootstrap__ApiClientSecret"] = ClientSecret;
            start.Environment["Seed__DemoData"] = "false";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings ?? [])
            {
                start.Environment[key] = value;
            }
            var process = new Process { StartInfo = start };
            var app = new AppProcess(process, url);
            process.OutputDataReceived += (_, e) => app.Append(e.Data);
            process.ErrorDataReceived += (_, e) => app.Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return app;
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        public async Task WaitReadyAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var until = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < until)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The app exited with {process.ExitCode}: {Output}");
                }
                try
                {
                    if ((await http.GetAsync(Url + "/health/ready")).IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"The app did not become ready: {Output}");
        }

        public void Signal(string signal)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The app did not exit within {timeout}: {Output}");
            }
            process.WaitForExit(); // lets the output readers finish
            return process.ExitCode;
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
    }
}
