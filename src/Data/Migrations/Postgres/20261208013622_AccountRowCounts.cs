using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountRowCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Accounts and members get the customers' row counts and versions (see CountVersions): their contains searches
            // keep a common text's total at the table's version (VersionedCounts) and size the creation-time walk from it.
            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"INSERT INTO \"RowCounts\" (\"Name\", \"Count\", \"Version\") SELECT '{table}', count(*), 0 FROM \"{table}\" ON CONFLICT (\"Name\") DO NOTHING;");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_insert\" AFTER INSERT ON \"{table}\" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_count_inserted('{table}');");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_delete\" AFTER DELETE ON \"{table}\" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_count_deleted('{table}');");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_version_update\" AFTER UPDATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION row_version_updated('{table}');");
            }
        }

        private static readonly string[] Tables = ["Accounts", "AccountMembers"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_insert\" ON \"{table}\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_delete\" ON \"{table}\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_version_update\" ON \"{table}\";");
                migrationBuilder.Sql($"DELETE FROM \"RowCounts\" WHERE \"Name\" = '{table}';");
            }
        }
    }
}
