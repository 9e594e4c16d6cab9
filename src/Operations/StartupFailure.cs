using System.Net.Sockets;
using CommerceManager.Data;
using CommerceManager.Tokens;
using Microsoft.AspNetCore.Connections;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommerceManager.Operations;

/// <summary>
/// The start-up failures an operator can fix, each said in one line: what is wrong and what to do. The app prints the
/// line and exits with <see cref="ExitCode"/>; anything not recognised here keeps its full exception.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 3;

    public static string? Describe(Exception exception, IConfiguration config)
    {
        var database = DatabaseName(config);
        var line = Unwrap(exception) switch
        {
            DatabaseTooNewException newer =>
                $"The database {database} was upgraded by a newer version of Commerce Manager (schema {newer.Migration}). " +
                "Run that version or a later one, or restore a backup taken with this version (tools restore --from FILE).",
            SqliteException { SqliteErrorCode: 26 or 11 } damaged =>
                $"The database file {database} is not a SQLite database or is damaged ({damaged.Message.TrimEnd('.')}). " +
                "Restore the latest backup (tools restore --from FILE --force), or point ConnectionStrings__Default at the right file.",
            SqliteException { SqliteErrorCode: 14 or 8 } cannotWrite =>
                $"The database {database} can't be opened for writing ({cannotWrite.Message.TrimEnd('.')}). " +
                "Give the app's user write access to the file and its folder, or point ConnectionStrings__Default at a writable place.",
            SqliteException { SqliteErrorCode: 13 } =>
                $"The disk holding {database} is full. Free some space, then start the app again.",
            DataFolderException folder =>
                $"The data folder {folder.Folder} can't be created or written ({folder.InnerException?.Message.TrimEnd('.')}). " +
                "Give the app's user write access to it, or point ConnectionStrings__Default (and DataProtection__KeysPath) at a writable place.",
            AddressInUseException or IOException { InnerException: AddressInUseException } or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } =>
                $"The address {Urls(config)} is already in use by another program. Stop that program, or start on another port " +
                "(--urls http://127.0.0.1:PORT, or ASPNETCORE_URLS).",
            SigningKeyUnavailableException =>
                $"The database's encrypted values (the API signing key, provider secrets) can't be read with the Data Protection keys in " +
                $"{config["DataProtection:KeysPath"] ?? "data/keys"}: they are missing or not the ones they were sealed with. Restore the keys " +
                "(tools restore puts a backup's keys back, or copy the folder from the old server), or start over with new keys: " +
                "tools rotate-signing-key --replace-unreadable (every API token ends; provider secrets must be entered again).",
            NpgsqlException { InnerException: SocketException } or NpgsqlException { SqlState: "3D000" or "28P01" or "28000" } =>
                $"The PostgreSQL database can't be reached ({Unwrap(exception).Message.TrimEnd('.')}). " +
                "Check ConnectionStrings__Default (host, port, database, user, password) and that the server runs.",
            InvalidOperationException { Message: var message } when message.StartsWith("Database__Provider", StringComparison.Ordinal)
                || message.StartsWith("Backup__Schedule", StringComparison.Ordinal) => message,
            _ => null,
        };
        return line is null ? null : "Commerce Manager could not start: " + line.ReplaceLineEndings(" ");
    }

    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerException!)
        : exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? Unwrap(inner)
        : exception;

    private static string DatabaseName(IConfiguration config)
    {
        try
        {
            return DatabaseSetup.ProviderOf(config) == DatabaseProvider.Postgres ? "on PostgreSQL"
                : Path.GetFullPath(new SqliteConnectionStringBuilder(config.GetConnectionString("Default") ?? DatabaseSetup.DefaultConnection).DataSource);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return "(see ConnectionStrings__Default)";
        }
    }

    private static string Urls(IConfiguration config) => config["urls"] ?? config["ASPNETCORE_URLS"] ?? "http://localhost:5000";
}
