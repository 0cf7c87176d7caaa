"""S3 Select's errors: the codes of the "List of SELECT Object Content Error Codes" (S3 API
reference, Error responses), each with AWS's description as its message and HTTP 400."""

from __future__ import annotations

from pocketcloud.protocol.errors import ServiceError

MESSAGES = {
    "AmbiguousFieldName": "The field name matches to multiple fields in the file. Check the SQL expression "
    "and the file, and try again.",
    "CastFailed": "An attempt to convert from one data type to another using CAST failed in the SQL "
    "expression.",
    "CSVEscapingRecordDelimiter": "A quoted record delimiter was found in the file. To allow quoted record "
    "delimiters, set AllowQuotedRecordDelimiter to 'TRUE'.",
    "CSVParsingError": "An error occurred while parsing the CSV file. Check the file and try again.",
    "EvaluatorInvalidArguments": "There is an incorrect number of arguments in the function call in the SQL "
    "expression.",
    "EvaluatorLikePatternInvalidEscapeSequence": "An argument given to the LIKE expression was not valid.",
    "EvaluatorNegativeLimit": "LIMIT must not be negative.",
    "EvaluatorInvalidTimestampFormatPatternSymbol": "The timestamp format pattern contains a symbol in the "
    "SQL expression that is not valid.",
    "ExpressionTooLong": "The SQL expression is too long. The maximum byte-length for an SQL expression is "
    "256 KB.",
    "IncorrectSqlFunctionArgumentType": "An incorrect argument type was specified in a function call in the "
    "SQL expression.",
    "InvalidColumnIndex": "The column index in the SQL expression is not valid.",
    "InvalidCompressionFormat": "The file is not in a supported compression format. Only GZIP and BZIP2 are "
    "supported.",
    "InvalidDataSource": "The data source type is not valid. Only CSV, JSON, and Parquet are supported.",
    "InvalidExpressionType": "The ExpressionType value is not valid. Only SQL expressions are supported.",
    "InvalidFileHeaderInfo": "The FileHeaderInfo value is not valid. Only NONE, USE, and IGNORE are "
    "supported.",
    "InvalidJsonType": "The JsonType value is not valid. Only DOCUMENT and LINES are supported.",
    "InvalidQuoteFields": "The QuoteFields value is not valid. Only ALWAYS and ASNEEDED are supported.",
    "InvalidRequestParameter": "The value of a parameter in the SelectRequest element is not valid. Check "
    "the service API documentation and try again.",
    "InvalidScanRange": "The provided scan range is not valid.",
    "InvalidTextEncoding": "The encoding type is not valid. Only UTF-8 encoding is supported.",
    "JSONParsingError": "An error occurred while parsing the JSON file. Check the file and try again.",
    "LexerInvalidChar": "The SQL expression contains a character that is not valid.",
    "LexerInvalidLiteral": "The SQL expression contains a literal that is not valid.",
    "LikeInvalidInputs": "The argument given to the LIKE clause in the SQL expression is not valid.",
    "MissingHeaders": "Some headers in the query are missing from the file. Check the file and try again.",
    "MissingRequiredParameter": "The SelectRequest entity is missing a required parameter. Check the "
    "service documentation and try again.",
    "MultipleDataSourcesUnsupported": "Multiple data sources are not supported.",
    "ObjectSerializationConflict": "InputSerialization specifies more than one format (CSV, JSON, or "
    "Parquet), or OutputSerialization specifies more than one format (CSV or JSON). For InputSerialization "
    "and OutputSerialization, you can specify only one format for each.",
    "OverMaxRecordSize": "The length of a record in the input or result is greater than the "
    "maxCharsPerRecord limit of 1 MB.",
    "ParquetParsingError": "An error occurred while parsing the Parquet file. Check the file and try again.",
    "ParseAsteriskIsNotAloneInSelectList": "Other expressions are not allowed in the SELECT list when * is "
    "used without dot notation in the SQL expression.",
    "ParseCastArity": "The SQL expression CAST has incorrect arity.",
    "ParseEmptySelect": "The SQL expression contains an empty SELECT clause.",
    "ParseExpectedArgumentDelimiter": "The expected argument delimiter in the SQL expression was not found.",
    "ParseExpectedDatePart": "The expected date part in the SQL expression was not found.",
    "ParseExpectedLeftParenAfterCast": "The expected left parenthesis after CAST in the SQL expression was "
    "not found.",
    "ParseExpectedExpression": "The expected SQL expression was not found.",
    "ParseExpectedIdentForAlias": "The expected identifier for the alias in the SQL expression was not "
    "found.",
    "ParseExpectedKeyword": "The expected keyword in the SQL expression was not found.",
    "ParseExpectedNumber": "The expected number in the SQL expression was not found.",
    "ParseExpectedRightParenBuiltinFunctionCall": "The expected right parenthesis character in the SQL "
    "expression was not found.",
    "ParseExpectedTokenType": "The expected token in the SQL expression was not found.",
    "ParseExpectedTypeName": "The expected type name in the SQL expression was not found.",
    "ParseInvalidPathComponent": "The SQL expression contains a path component that is not valid.",
    "ParseMalformedJoin": "JOIN is not supported in the SQL expression.",
    "ParseSelectMissingFrom": "The SQL expression contains a missing FROM after the SELECT list.",
    "ParseUnExpectedKeyword": "The SQL expression contains an unexpected keyword.",
    "ParseUnexpectedToken": "The SQL expression contains an unexpected token.",
    "ParseUnsupportedCallWithStar": "Only COUNT with (*) as a parameter is supported in the SQL expression.",
    "ParseUnsupportedCase": "The SQL expression contains an unsupported use of CASE.",
    "ParseUnsupportedLiteralsGroupBy": "The SQL expression contains an unsupported use of GROUP BY.",
    "TruncatedInput": "Object decompression failed. Check that the object is properly compressed using the "
    "format specified in the request.",
    "UnsupportedFunction": "We encountered an unsupported SQL function.",
    "UnsupportedScanRangeInput": "Scan range queries are not supported on this type of object.",
    "UnsupportedSqlOperation": "We encountered an unsupported SQL operation.",
    "UnsupportedSqlStructure": "We encountered an unsupported SQL structure. Check the SQL Reference.",
    "ValueParseFailure": "A timestamp parse failure occurred in the SQL expression.",
}


def select_error(code: str, message: str | None = None) -> ServiceError:
    """An S3 Select error: `code` with AWS's description (or `message`), HTTP 400."""
    return ServiceError(code, message or MESSAGES[code], status=400)
