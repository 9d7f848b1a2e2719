// fail(): an Error without a source place, for the directory's expected failures.
#pragma once

#include <string>
#include <utility>

#include "misim/result.hpp"

namespace misim::directory_detail {

[[nodiscard]] inline Error fail(std::string message) { return Error{std::move(message), {}}; }

}  // namespace misim::directory_detail
