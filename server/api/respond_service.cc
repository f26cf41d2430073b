#include "api/respond_service.h"
