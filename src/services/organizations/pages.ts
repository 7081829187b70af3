/** Organizations' pagination: a NextToken it did not hand out is InvalidInputException INVALID_NEXT_TOKEN. */
import { Pagination } from "../../paginate.js";
import { errors } from "../../org/errors.js";

export const pages = new Pagination(errors.invalidNextToken);
