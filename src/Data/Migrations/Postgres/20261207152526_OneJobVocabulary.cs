using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <summary>One job status vocabulary (EP's) for imports and exports.</summary>
    public partial class OneJobVocabulary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Imports and exports share EP's job statuses: an import that finished is SUCCESS, as an export is.
            migrationBuilder.Sql("UPDATE \"ImportJobs\" SET \"Status\" = 'Success' WHERE \"Status\" = 'Succeeded';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE \"ImportJobs\" SET \"Status\" = 'Succeeded' WHERE \"Status\" = 'Success';");
        }
    }
}
