using Microsoft.Data.Sqlite;

namespace CommerceManager.Testing;

/// <summary>
/// Where one test's app keeps its data: a fresh database and Data Protection keys of its own, in a temporary folder
/// removed afterwards. The service tests, the HTTP tests and the browser tests all start from here, so they run on
/// the same kind of database the app runs on.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private TestStore(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string ConnectionString => $"Data Source={Path.Combine(Directory, "app.db")}";

    public string KeysPath => Path.Combine(Directory, "keys");

    /// <summary>The settings that point an app at this store, as configuration keys.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Default"] = ConnectionString,
        ["DataProtection:KeysPath"] = KeysPath,
    };

    public static TestStore Create(string prefix = "cm-tests-") => new(System.IO.Directory.CreateTempSubdirectory(prefix).FullName);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere only leaves a temp folder behind.
        }
        return ValueTask.CompletedTask;
    }
}
